package dev.dialtone.conversation;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.dialtone.audio.Frames;
import dev.dialtone.audio.Playout;
import dev.dialtone.audio.WordGap;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.speech.TtsSession;

/**
 * The agent's voice on a phone line. Segments are synthesised by a streaming TTS session (or
 * taken from the {@link PhraseCache}), cut into 20 ms frames and queued on the call's paced
 * {@link Playout} with a mark after each. Segments always play in the order spoken, even when a
 * cached phrase is ready before the TTS audio of an earlier segment. A segment's audio is kept
 * until the caller has heard it, so that a pause (a suspected barge-in) can play it again from
 * the word where it stopped. Call's thread only.
 */
final class PhoneVoice implements Voice {
    private static final System.Logger LOG = System.getLogger(PhoneVoice.class.getName());

    /** A spoken segment not yet heard: its audio so far, and how much of it is queued on the line. */
    private static final class Pending {
        final Segment segment;
        final boolean cacheable;
        byte[] audio = new byte[0];
        int size;       // bytes of audio received
        int queued;     // bytes of audio handed to the playout (again from a resume point after a pause)
        boolean done;   // all its audio has arrived (or it failed)
        boolean marked; // its mark is queued after its audio

        Pending(Segment segment, boolean cacheable) {
            this.segment = segment;
            this.cacheable = cacheable;
        }

        void write(byte[] bytes) {
            if (size + bytes.length > audio.length) {
                audio = Arrays.copyOf(audio, Math.max(size + bytes.length, audio.length * 2));
            }
            System.arraycopy(bytes, 0, audio, size, bytes.length);
            size += bytes.length;
        }

        byte[] bytes() {
            return Arrays.copyOf(audio, size);
        }

        /** Whether nothing of it will play or be waited for any more. */
        boolean over() {
            return marked && (segment.played() || segment.bytesSent == 0);
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
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(); // in the order spoken, until heard
    private boolean paused;
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
            p.write(cached.get());
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
            case TtsEvent.Audio audio -> find(audio.segmentId()).filter(p -> !p.done).ifPresent(p -> {
                p.write(audio.mulaw());
                drain();
            });
            case TtsEvent.SegmentDone done -> find(done.segmentId()).filter(p -> !p.done).ifPresent(p -> {
                p.done = true;
                p.segment.synthesized = true;
                if (p.cacheable && p.size > 0) {
                    cache.put(voiceKey, p.segment.text, p.bytes());
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
    public void pause() {
        paused = true;
        frames.discard();
        playout.clear();
    }

    @Override
    public void hold() {
        paused = true; // like a pause, but the line is idle: no clear goes out
    }

    @Override
    public int resume(Optional<Segment> playing, int bytes) {
        paused = false;
        // an earlier reply still queued here would be rewound and sent again (a speculative reply
        // released after the greeting replayed the greeting)
        forgetPlayed();
        int from = 0;
        boolean after = playing.isEmpty();
        for (var p : pending) {
            if (!after && p.segment != playing.get()) {
                continue; // heard before the pause
            }
            if (!after) {
                from = bytes >= p.queued ? p.queued : WordGap.before(p.audio, bytes);
                p.queued = from;
                after = true;
            } else {
                p.queued = 0;
            }
            p.marked = false;
        }
        drain();
        return from;
    }

    @Override
    public void interrupt() {
        paused = false;
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
        p.size = Math.max(p.queued, p.segment.bytesSent); // what went out may still play; nothing more will
        p.done = true;
        p.segment.failed = true;
    }

    /**
     * Queues the audio of the segments in order, each one's mark after it, up to the first whose
     * audio is still arriving; segments the caller has heard are forgotten. Nothing while paused.
     */
    private void drain() {
        forgetPlayed();
        if (paused) {
            return;
        }
        for (var p : pending) {
            if (p.marked) {
                continue;
            }
            if (p.size > p.queued) {
                frames.add(Arrays.copyOfRange(p.audio, p.queued, p.size)).forEach(playout::audio);
                if (p.segment.firstSentNanos == 0) {
                    p.segment.firstSentNanos = clock.nanos();
                }
                p.queued = p.size;
                p.segment.bytesSent = Math.max(p.segment.bytesSent, p.size);
            }
            if (!p.done) {
                return;
            }
            frames.flush().forEach(playout::audio);
            p.marked = true;
            if (p.segment.bytesSent > 0) {
                playout.mark(p.segment.mark); // nothing queued (it failed first): no mark will come back
            }
        }
    }

    /** Drops the segments Twilio has played (marked and echoed) from the head of the queue. */
    private void forgetPlayed() {
        while (!pending.isEmpty() && pending.peek().over()) {
            pending.poll();
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
