package dev.dialtone.conversation;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.dialtone.audio.Frames;
import dev.dialtone.audio.Playout;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.speech.TtsSession;

/**
 * The agent's voice on a phone line. Segments are synthesised by a streaming TTS session (or
 * taken from the {@link PhraseCache}), cut into 20 ms frames and queued on the call's paced
 * {@link Playout} with a mark after each. Segments always play in the order spoken, even when a
 * cached phrase is ready before the TTS audio of an earlier segment. Call's thread only.
 */
final class PhoneVoice implements Voice {
    private static final System.Logger LOG = System.getLogger(PhoneVoice.class.getName());

    /** A spoken segment whose audio is still arriving or waiting for earlier ones. */
    private static final class Pending {
        final Segment segment;
        final boolean cacheable;
        final ByteArrayOutputStream held = new ByteArrayOutputStream();  // not yet queued
        final ByteArrayOutputStream all = new ByteArrayOutputStream();   // for the cache
        boolean done;

        Pending(Segment segment, boolean cacheable) {
            this.segment = segment;
            this.cacheable = cacheable;
        }
    }

    private final TextToSpeech tts;
    private final TtsOptions options;
    private final String voiceKey;
    private final Playout playout;
    private final PhraseCache cache;
    private final Consumer<CallEvent> post;
    private final CallClock clock;
    private final Frames frames = new Frames();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private TtsSession session;
    private long sessionId;

    PhoneVoice(TextToSpeech tts, TtsOptions options, String voiceKey, Playout playout, PhraseCache cache,
               Consumer<CallEvent> post, CallClock clock) {
        this.tts = tts;
        this.options = options;
        this.voiceKey = voiceKey;
        this.playout = playout;
        this.cache = cache;
        this.post = post;
        this.clock = clock;
        openSession();
    }

    @Override
    public void speak(Segment segment, boolean fixed) {
        var p = new Pending(segment, fixed);
        pending.add(p);
        var cached = fixed ? cache.get(voiceKey, segment.text) : Optional.<byte[]>empty();
        if (cached.isPresent()) {
            p.held.writeBytes(cached.get());
            p.done = true;
            segment.synthesized = true;
            drain();
        } else {
            session.speak(segment.id, segment.text);
        }
    }

    @Override
    public void endOfReply() {
        session.flush();
    }

    @Override
    public boolean playing() {
        return !playout.idle() || playout.buffered().toNanos() > 0;
    }

    /**
     * Synthesises the phrases not yet cached on a session of their own, off the call's path; the
     * audio goes only to the cache.
     */
    @Override
    public void prepare(List<String> phrases) {
        var missing = phrases.stream().filter(p -> cache.get(voiceKey, p).isEmpty()).distinct().toList();
        if (missing.isEmpty()) {
            return;
        }
        var audio = new ConcurrentHashMap<Long, ByteArrayOutputStream>();
        var left = new AtomicInteger(missing.size());
        var holder = new AtomicReference<TtsSession>();
        var side = tts.open(options, event -> {
            switch (event) {
                case TtsEvent.Audio a -> audio.computeIfAbsent(a.segmentId(), id -> new ByteArrayOutputStream())
                                              .writeBytes(a.mulaw());
                case TtsEvent.SegmentDone done -> {
                    var bytes = audio.remove(done.segmentId());
                    if (bytes != null) {
                        cache.put(voiceKey, missing.get((int) done.segmentId()), bytes.toByteArray());
                    }
                    if (left.decrementAndGet() == 0 && holder.get() != null) {
                        holder.get().close();
                    }
                }
                case TtsEvent.Failed failed -> {
                    if (failed.segmentId().isEmpty() && holder.get() != null) {
                        holder.get().close();
                    }
                }
            }
        });
        holder.set(side);
        for (int i = 0; i < missing.size(); i++) {
            side.speak(i, missing.get(i));
        }
        side.flush();
    }

    @Override
    public boolean hasCached(String text) {
        return cache.get(voiceKey, text).isPresent();
    }

    @Override
    public boolean onTts(CallEvent.Tts event) {
        if (event.session() != sessionId) {
            return false; // a replaced session
        }
        switch (event.event()) {
            case TtsEvent.Audio audio -> find(audio.segmentId()).ifPresent(p -> {
                p.held.writeBytes(audio.mulaw());
                if (p.cacheable) {
                    p.all.writeBytes(audio.mulaw());
                }
                drain();
            });
            case TtsEvent.SegmentDone done -> find(done.segmentId()).ifPresent(p -> {
                p.done = true;
                p.segment.synthesized = true;
                if (p.cacheable && p.all.size() > 0) {
                    cache.put(voiceKey, p.segment.text, p.all.toByteArray());
                }
                drain();
            });
            case TtsEvent.Failed failed -> {
                LOG.log(System.Logger.Level.WARNING, "TTS failed: {0}", failed.error());
                if (failed.segmentId().isPresent()) {
                    find(failed.segmentId().getAsLong()).ifPresent(this::fail);
                } else {
                    pending.forEach(this::fail);
                    openSession();
                }
                drain();
                return true;
            }
        }
        return false;
    }

    @Override
    public void interrupt() {
        session.cancel();
        pending.clear();
        frames.discard();
        playout.clear();
    }

    @Override
    public void close() {
        session.close();
        playout.close();
    }

    private void fail(Pending p) {
        p.held.reset();
        p.done = true;
        p.segment.failed = true;
    }

    /** Queues held audio of the head segments, in order; a finished head gets its mark. */
    private void drain() {
        while (!pending.isEmpty()) {
            var head = pending.peek();
            if (head.held.size() > 0) {
                var bytes = head.held.toByteArray();
                head.held.reset();
                frames.add(bytes).forEach(playout::audio);
                if (head.segment.firstSentNanos == 0) {
                    head.segment.firstSentNanos = clock.nanos();
                }
                head.segment.bytesSent += bytes.length;
            }
            if (!head.done) {
                return;
            }
            frames.flush().forEach(playout::audio);
            pending.poll();
            if (head.segment.failed && head.segment.bytesSent == 0) {
                continue; // nothing was queued: no mark will come back
            }
            playout.mark(head.segment.mark);
        }
    }

    private Optional<Pending> find(long segmentId) {
        return pending.stream().filter(p -> p.segment.id == segmentId).findFirst();
    }

    private void openSession() {
        long id = ++sessionId;
        session = tts.open(options, e -> post.accept(new CallEvent.Tts(id, e, clock.nanos())));
    }
}
