package dev.dialtone.conversation;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;

import dev.dialtone.audio.SileroVad;
import dev.dialtone.audio.VadStream;
import dev.dialtone.audio.VoiceActivity;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.ProviderBlock;
import dev.dialtone.speech.SpeechToText;
import dev.dialtone.speech.SttOptions;
import dev.dialtone.speech.TurnThresholds;
import dev.dialtone.speech.SttSession;
import dev.dialtone.telephony.CallHandler;
import dev.dialtone.telephony.StreamEvent;

/**
 * One call as an actor: a mailbox of {@link CallEvent}s drained by one virtual thread that alone
 * runs the {@link Conversation}. The Twilio socket's reader thread, provider I/O threads, tools
 * and timers only post events. Caller audio is the exception: it goes from the reader thread
 * straight to the STT session, which is thread-safe, so the audio path never waits in the mailbox.
 */
public final class CallSession implements CallHandler {
    private static final System.Logger LOG = System.getLogger(CallSession.class.getName());

    private final Mailbox mailbox = new Mailbox(Mailbox.DATA_LIMIT);
    private final String callSid;
    private final TurnMetrics metrics;
    private final AtomicLong dropped = new AtomicLong();
    private volatile long droppedLoggedNanos;
    private final CallTranscript transcript;
    private final CallClock clock;
    private final Consumer<CallSession> onEnd;
    private final SpeechInput speech;
    private Conversation conversation; // set once before the thread starts
    private volatile boolean ended;

    /**
     * @param stt the speech-to-text provider, or null when turns are typed (chat mode)
     */
    CallSession(String callSid, CallTranscript transcript, CallClock clock, SpeechToText stt, SttOptions sttOptions,
                Optional<SileroVad> vad, TurnMetrics metrics, Consumer<CallSession> onEnd) {
        this.callSid = callSid;
        this.metrics = metrics;
        this.transcript = transcript;
        this.clock = clock;
        this.speech = new SpeechInput(stt, sttOptions, this::post, clock, vad);
        this.onEnd = onEnd;
    }

    SpeechInput speech() {
        return speech;
    }

    /** Wires the conversation and starts the call's thread. */
    void start(Conversation conversation) {
        this.conversation = conversation;
        Thread.ofVirtual().name("call-" + callSid).start(this::run);
    }

    /** Posts an event to the call; any thread. A flood the call cannot keep up with is dropped and counted. */
    void post(CallEvent event) {
        if (ended || mailbox.offer(event)) {
            return;
        }
        metrics.droppedEvent();
        long total = dropped.incrementAndGet();
        long now = System.nanoTime();
        if (now - droppedLoggedNanos > 1_000_000_000L) { // at most one line a second per call
            droppedLoggedNanos = now;
            LOG.log(System.Logger.Level.WARNING, "Call {0}: mailbox full, events dropped ({1} so far)", callSid, total);
        }
    }

    public String callSid() {
        return callSid;
    }

    public CallTranscript transcript() {
        return transcript;
    }

    public boolean ended() {
        return ended;
    }

    /** A caller turn typed instead of spoken. */
    public void type(String text) {
        post(new CallEvent.TypedTurn(text));
    }

    /** An operator or the API asks the call to do something. */
    public void act(CallAction action) {
        post(new CallEvent.Action(action));
    }

    @Override
    public void onEvent(StreamEvent event) {
        switch (event) {
            case StreamEvent.Media media -> speech.hear(media.payload());
            case StreamEvent.Dtmf dtmf -> post(new CallEvent.Digit(dtmf.digit()));
            case StreamEvent.Mark mark -> post(new CallEvent.MarkEchoed(mark.name(), clock.nanos()));
            case StreamEvent.Stop stop -> post(new CallEvent.StreamEnded("caller hung up"));
            case StreamEvent.Text text -> type(text.text());
            default -> {
            }
        }
    }

    @Override
    public void onStreamClosed(String reason) {
        post(new CallEvent.StreamEnded(reason));
    }

    private void run() {
        try {
            conversation.start();
            while (!ended) {
                var event = mailbox.take();
                try {
                    conversation.handle(event);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "Call " + callSid + " failed on " + event.getClass().getSimpleName(), e);
                    transcript.note(clock.now(), "error", "internal: " + e.getClass().getSimpleName());
                }
                if (transcript.endedAt().isPresent()) {
                    ended = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            conversation.stop("server shutting down");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Call " + callSid + " failed to start", e);
            conversation.stop("internal error");
        } finally {
            ended = true;
            mailbox.clear();
            onEnd.accept(this);
        }
    }

    /**
     * The caller's side: the current STT session and when the caller last made a sound. While the
     * agent can be interrupted, sound is judged by Silero VAD (when it loaded), whose onsets pause
     * the agent at once; otherwise, and for the end of the caller's speech, by energy. Written by
     * the call's thread (reopen, watch), read by the socket's reader thread (hear).
     */
    static final class SpeechInput implements Conversation.Hearing {
        private final SpeechToText stt;
        private final SttOptions options;
        private final Consumer<CallEvent> post;
        private final CallClock clock;
        private volatile SttSession session;
        /** The end-of-turn thresholds asked for last (call's thread), applied to each session opened; null: the flow's. */
        private TurnThresholds thresholds;
        private volatile long sessionId;
        private volatile long lastSpeechNanos;
        /** Sustained speech (by the model while it judges, else by energy) that counts as an interruption without waiting for words. */
        static final long INTERRUPTION_MS = 800;
        /** A pause shorter than this does not end a stretch of speech. */
        private static final long GAP_MS = 200;
        private long speechStartNanos; // reader thread only: start of the current stretch of speech, 0 if none
        private boolean reported;      // reader thread only: this stretch was already posted
        private final AtomicLong audioBytes = new AtomicLong();
        private final VadStream vad;   // reader thread only; null without the model
        private volatile boolean watching; // the agent can be interrupted now: the model judges the caller's sound
        private boolean modelHeard;    // reader thread only: the last frame went to the model

        SpeechInput(SpeechToText stt, SttOptions options, Consumer<CallEvent> post, CallClock clock,
                    Optional<SileroVad> vad) {
            this.stt = stt;
            this.options = options;
            this.post = post;
            this.clock = clock;
            this.vad = vad.map(VadStream::new).orElse(null);
        }

        void hear(byte[] mulaw) {
            var s = session;
            if (s != null) {
                s.sendAudio(mulaw);
                audioBytes.addAndGet(mulaw.length);
            }
            long now = clock.nanos();
            boolean byModel = watching && vad != null && !vad.failed();
            if (byModel != modelHeard && vad != null) {
                vad.reset(); // the model starts afresh each time the agent speaks
                modelHeard = byModel;
            }
            boolean speech = byModel ? vad.hear(mulaw) : VoiceActivity.isSpeech(mulaw);
            if (speech) {
                if (speechStartNanos == 0 || now - lastSpeechNanos > GAP_MS * 1_000_000) {
                    speechStartNanos = now;
                    reported = false;
                    if (byModel) {
                        post.accept(new CallEvent.CallerVoice(now)); // an onset: the agent stops at once
                    }
                }
                lastSpeechNanos = now;
                if (!reported && now - speechStartNanos >= INTERRUPTION_MS * 1_000_000) {
                    reported = true;
                    post.accept(new CallEvent.CallerSpeaking(speechStartNanos, now));
                }
            }
        }

        @Override
        public boolean current(CallEvent.Stt event) {
            return event.session() == sessionId;
        }

        @Override
        public void reopen() {
            if (stt == null) {
                return;
            }
            var old = session;
            long id = sessionId + 1;
            sessionId = id;
            session = stt.open(options, e -> post.accept(new CallEvent.Stt(id, e, clock.nanos())));
            if (thresholds != null) {
                session.adjustTurnEnd(thresholds);
            }
            if (old != null) {
                old.close();
            }
        }

        @Override
        public boolean adjustTurnEnd(TurnThresholds wanted) {
            thresholds = wanted;
            var s = session;
            return s != null && s.adjustTurnEnd(wanted);
        }

        @Override
        public void watch(boolean interruptible) {
            watching = interruptible;
        }

        @Override
        public long lastSpeechNanos() {
            return lastSpeechNanos;
        }

        @Override
        public long audioMillis() {
            return audioBytes.get() / 8;
        }

        @Override
        public void close() {
            var s = session;
            session = null;
            if (s != null) {
                s.close();
            }
        }

        static SttOptions options(ProviderBlock block) {
            var defaults = SttOptions.defaults();
            var keyterms = block.extras().get("keyterms") instanceof List<?> list
                    ? list.stream().map(String::valueOf).toList() : List.<String>of();
            return new SttOptions(block.model().orElse(defaults.model()), block.language().orElse(defaults.language()),
                                  block.intExtra("endpointing").map(OptionalInt::of).orElse(defaults.endpointingMs()),
                                  block.intExtra("utterance_end_ms").map(OptionalInt::of).orElse(defaults.utteranceEndMs()),
                                  keyterms, !Boolean.FALSE.equals(block.extras().get("smart_format")),
                                  new TurnThresholds(number(block, "eot_threshold"), block.intExtra("eot_timeout_ms")
                                          .map(OptionalInt::of).orElse(OptionalInt.empty())),
                                  number(block, "eager_eot_threshold"));
        }

        private static OptionalDouble number(ProviderBlock block, String key) {
            return block.extras().get(key) instanceof Number n ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
        }
    }

    /** The flow version a call runs, for logs. */
    static String describe(FlowVersion flow) {
        return flow.name() + "@" + flow.hash();
    }
}
