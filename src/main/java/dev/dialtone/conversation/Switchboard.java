package dev.dialtone.conversation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.net.URI;
import java.time.Duration;

import dev.dialtone.audio.Playout;
import dev.dialtone.audio.SileroVad;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.flow.ProviderBlock;
import dev.dialtone.flow.ProviderCatalog;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.telephony.CallHandler;
import dev.dialtone.telephony.ConferenceTransfer;
import dev.dialtone.telephony.OutboundStream;
import dev.dialtone.telephony.StreamCommand;
import dev.dialtone.telephony.StreamEvent;
import dev.dialtone.telephony.TwilioCalls;
import dev.dialtone.telephony.TwilioWebhooks;
import dev.dialtone.telephony.SilentCall;

/**
 * Answers calls: picks the flow version for a new stream (the one named in the TwiML, else the
 * called number's), builds its {@link CallSession} with the flow's providers, and keeps the live
 * sessions and recent transcripts for the admin API. Also opens text-only sessions for chat mode.
 */
public final class Switchboard implements CallHandler.Factory {
    private static final System.Logger LOG = System.getLogger(Switchboard.class.getName());
    private static final int RECENT = 500;
    /** How far ahead of real time audio is sent to Twilio. */
    static final Duration PLAYOUT_LEAD = Duration.ofMillis(200);
    /** Audio goes to Twilio 100 ms at a time: five frames per wake-up of the playout thread, not one. */
    static final Duration PLAYOUT_BATCH = Duration.ofMillis(100);

    private final FlowRegistry flows;
    private final Providers providers;
    private final TwilioCalls twilio;
    private final PhraseCache phrases = new PhraseCache();
    private final TurnMetrics metrics;
    private final CallClock clock;
    private final CallLog log;
    private final ProviderWrap wrap;
    private final Supplier<Optional<SileroVad>> vad; // the model may still be loading at start: the first call waits
    private final Map<String, CallSession> active = new ConcurrentHashMap<>();
    private final Map<String, CallTranscript> recent = new LinkedHashMap<>(); // guarded by itself
    private final Map<String, String> earlyAnswers = new LinkedHashMap<>(); // guarded by itself: AMD before the stream
    private final WarmTransfers warm;
    private volatile BiConsumer<String, String> recordingStarted = (call, recording) -> { };
    private volatile int maxEarlyAnswers = RECENT; // set once at start (config.yaml twilio.max-early-answers)

    /** @param log records every call as it goes (the store) */
    public Switchboard(FlowRegistry flows, Providers providers, TwilioCalls twilio, TurnMetrics metrics,
                       CallClock clock, CallLog log) {
        this(flows, providers, twilio, metrics, clock, log, ProviderWrap.NONE, Optional::empty);
    }

    /** @param vad the caller's voice detector (empty: the energy detector) */
    public Switchboard(FlowRegistry flows, Providers providers, TwilioCalls twilio, TurnMetrics metrics,
                       CallClock clock, CallLog log, Optional<SileroVad> vad) {
        this(flows, providers, twilio, metrics, clock, log, ProviderWrap.NONE, () -> vad);
    }

    /**
     * @param wrap wraps each call's LLM and TTS clients (tracing)
     * @param vad  the caller's voice detector, asked for at each call (the server's start loads it
     *             beside the rest, and a call that comes first waits for it)
     */
    public Switchboard(FlowRegistry flows, Providers providers, TwilioCalls twilio, TurnMetrics metrics,
                       CallClock clock, CallLog log, ProviderWrap wrap, Supplier<Optional<SileroVad>> vad) {
        this.wrap = wrap;
        this.vad = vad;
        this.flows = flows;
        this.providers = providers;
        this.twilio = twilio;
        this.metrics = metrics;
        this.clock = clock;
        this.log = log;
        this.warm = new WarmTransfers(clock, providers::tts);
    }

    /**
     * Waits until the voice detector has loaded, if it was still loading: a JVM that exits while
     * ONNX Runtime is making its session crashes, so the server's close waits for it.
     */
    public void awaitDetector() {
        try {
            vad.get();
        } catch (RuntimeException e) {
            // a detector that failed to load is no reason to fail the close
        }
    }

    /** The calls on hold for a warm transfer (the server hands it the {@link ConferenceTransfer} that runs them). */
    public WarmTransfers warmTransfers() {
        return warm;
    }

    @Override
    public CallHandler answer(StreamEvent.Start start, OutboundStream out) {
        var named = start.parameter("flow");
        var flow = named.isEmpty() ? flows.forNumber(start.parameter("to")) : flows.byName(named);
        if (flow.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Call {0} to {1}: no flow answers it; ending the stream",
                    start.callSid(), start.parameter("to"));
            out.close();
            return new CallHandler() {
                public void onEvent(StreamEvent event) {
                }

                public void onStreamClosed(String reason) {
                }
            };
        }
        var back = start.parameter(ConferenceTransfer.RESUME_PARAMETER).equals("transfer")
                ? warm.comingBack(start.callSid()) : Optional.<HeldCall>empty();
        return phoneCall(start, out, back.map(HeldCall::flow).orElse(flow.get()), back);
    }

    /** A call on the phone line: STT, LLM and TTS of the flow, paced audio to Twilio. */
    private CallHandler phoneCall(StreamEvent.Start start, OutboundStream out, FlowVersion flow, Optional<HeldCall> back) {
        var f = flow.flow();
        var stt = providers.stt(f.stt().provider());
        var llm = providers.llm(f.llm().provider());
        var tts = providers.tts(f.tts().provider());
        if (stt.isEmpty() || llm.isEmpty() || tts.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, "Call {0}: flow {1} needs providers {2}/{3}/{4}, not all configured",
                    start.callSid(), flow.name(), f.stt().provider(), f.llm().provider(), f.tts().provider());
            out.close();
            return new SilentCall(start);
        }
        var info = new Conversation.CallInfo(start.callSid(), start.parameter("from"), start.parameter("to"));
        var transcript = back.map(HeldCall::transcript).orElseGet(() -> new CallTranscript(info.sid(), flow.name(),
                flow.hash(), info.from(), info.to(), direction(start), clock.now(), log));
        var session = new CallSession(info.sid(), transcript, clock, stt.get(), CallSession.SpeechInput.options(f.stt()),
                                      vad.get(), metrics, this::onEnded);
        var playout = new Playout(new TwilioSink(out), PLAYOUT_LEAD, PLAYOUT_BATCH, info.sid());
        var ttsOptions = ttsOptions(f.tts());
        var voice = new PhoneVoice(wrap.tts(info.sid(), f.tts().provider(), tts.get()), ttsOptions,
                                   f.tts().provider() + ":" + ttsOptions.voice() + ":" + ttsOptions.model(), playout,
                                   phrases, session::post, clock);
        var conversation = new Conversation(info, flow, wrap.llm(info.sid(), f.llm().provider(), llm.get()), voice,
                                            session.speech(), new PhoneLine(info.sid(), out, start.parameter("base")),
                                            clock, session::post, transcript, metrics, Phrases.ENGLISH);
        back.ifPresent(conversation::cameBack); // no greeting, consent, answer wait or new recording: the call goes on
        if (direction(start).startsWith("outbound") && back.isEmpty()) {
            conversation.awaitAnswer();
        }
        if (f.phone().recording().isPresent() && back.isEmpty()) {
            conversation.recorded();
        }
        active.put(info.sid(), session);
        LOG.log(System.Logger.Level.INFO, "Call {0} answered by flow {1}", info.sid(), CallSession.describe(flow));
        session.start(conversation);
        String early;
        synchronized (earlyAnswers) {
            early = earlyAnswers.remove(info.sid());
        }
        if (early != null) {
            session.post(new CallEvent.AnsweredBy(early));
        }
        f.phone().recording().filter(p -> back.isEmpty()).ifPresent(policy -> startRecording(info.sid(), policy.dual(), start.parameter("base")));
        return session;
    }

    /** Who answered an outbound call (Twilio's answering-machine detection); kept a while if its stream has not started yet. */
    public void answeredBy(String callSid, String answeredBy) {
        var session = active.get(callSid);
        if (session != null) {
            session.post(new CallEvent.AnsweredBy(answeredBy));
            return;
        }
        synchronized (earlyAnswers) {
            earlyAnswers.put(callSid, answeredBy);
            while (earlyAnswers.size() > maxEarlyAnswers) {
                earlyAnswers.remove(earlyAnswers.keySet().iterator().next());
                metrics.droppedEarlyAnswer();
            }
        }
    }

    /**
     * How many answering-machine results are kept for calls whose stream has not started yet; past
     * that the oldest is dropped and counted ({@code dialtone_amd_answers_dropped_total}), so a flood
     * of signed callbacks for made-up calls cannot grow the map.
     */
    public void limitEarlyAnswers(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("twilio.max-early-answers must be at least 1");
        }
        this.maxEarlyAnswers = max;
    }

    /** Told the call sid and recording sid of each recording started (the store keeps them). */
    public void onRecordingStarted(BiConsumer<String, String> listener) {
        this.recordingStarted = listener;
    }

    /** Starts the call's recording through Twilio's REST API, in the background: the call does not wait for it. */
    private void startRecording(String callSid, boolean dual, String base) {
        if (!twilio.configured() || base.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Call {0}: the flow records calls, but {1}", callSid,
                    twilio.configured() ? "the stream carries no callback address" : "Twilio's credentials are not set");
            return;
        }
        Thread.ofVirtual().start(() -> {
            try {
                var recording = twilio.startRecording(callSid, dual, URI.create(base + TwilioWebhooks.RECORDING_PATH));
                recordingStarted.accept(callSid, recording);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Call {0}: recording could not start: {1}", callSid, e.getMessage());
            }
        });
    }

    /**
     * A text-only session of a flow (chat mode, the softphone's text box): typed turns in, the
     * agent's segments out, with tools, nodes and the LLM all live.
     */
    public CallSession chat(FlowVersion flow, String sid, Consumer<String> agentSays, Line line) {
        var llm = providers.llm(flow.flow().llm().provider())
                .orElseThrow(() -> new IllegalStateException("no API key for LLM provider " + flow.flow().llm().provider()));
        var info = new Conversation.CallInfo(sid, "chat", "chat");
        var transcript = new CallTranscript(sid, flow.name(), flow.hash(), info.from(), info.to(), "inbound",
                                            clock.now(), log);
        var session = new CallSession(sid, transcript, clock, null, null, Optional.empty(), metrics, this::onEnded);
        var voice = new TextVoice(agentSays, session::post, clock);
        var conversation = new Conversation(info, flow, wrap.llm(sid, flow.flow().llm().provider(), llm), voice,
                                            session.speech(), line, clock, session::post,
                                            transcript, metrics, Phrases.ENGLISH);
        active.put(sid, session);
        session.start(conversation);
        return session;
    }

    public Optional<CallSession> active(String sid) {
        return Optional.ofNullable(active.get(sid));
    }

    public List<CallSession> active() {
        return List.copyOf(active.values());
    }

    /** A live or recently ended call's transcript. */
    public Optional<CallTranscript> transcript(String sid) {
        var live = active.get(sid);
        if (live != null) {
            return Optional.of(live.transcript());
        }
        synchronized (recent) {
            return Optional.ofNullable(recent.get(sid));
        }
    }

    public List<CallTranscript> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent.values());
        }
    }

    private void onEnded(CallSession session) {
        active.remove(session.callSid());
        synchronized (recent) {
            recent.put(session.callSid(), session.transcript());
            if (recent.size() > RECENT) {
                recent.remove(recent.keySet().iterator().next());
            }
        }
    }

    /** Twilio's direction parameter; the softphone sends none. */
    private static String direction(StreamEvent.Start start) {
        var direction = start.parameter("direction");
        return direction.isEmpty() ? (start.parameter("from").equals("softphone") ? "softphone" : "inbound") : direction;
    }

    static TtsOptions ttsOptions(ProviderBlock block) {
        var defaults = ProviderCatalog.defaultVoice(block.provider());
        var voice = block.voice().or(block::model).orElse(defaults.voice());
        var model = block.provider().equals("elevenlabs") ? block.model().orElse(defaults.model()) : "";
        var settings = new LinkedHashMap<String, Double>();
        for (var key : List.of("stability", "similarity_boost", "style", "speed")) {
            if (block.extras().get(key) instanceof Number n) {
                settings.put(key, n.doubleValue());
            }
        }
        return new TtsOptions(voice, model, settings);
    }

    /** Paced audio, marks and clears to the call's Twilio stream. */
    private record TwilioSink(OutboundStream out) implements Playout.Sink {
        public void audio(byte[] frame) {
            out.send(new StreamCommand.Media(frame));
        }

        public void mark(String name) {
            out.send(new StreamCommand.Mark(name));
        }

        public void clear() {
            out.send(new StreamCommand.Clear());
        }
    }

    /** Hang-up and transfer through Twilio's REST API; closing the stream also ends the call. */
    private final class PhoneLine implements Line {
        private final String sid;
        private final OutboundStream out;
        private final String base;

        PhoneLine(String sid, OutboundStream out, String base) {
            this.sid = sid;
            this.out = out;
            this.base = base;
        }

        @Override
        public boolean warmTransfer(HeldCall held) {
            if (!warm.available(base)) {
                LOG.log(System.Logger.Level.WARNING, "Call {0}: a warm transfer needs Twilio's credentials and a stream "
                        + "from the voice webhook; transferring cold", sid);
                return false;
            }
            warm.hold(held, base); // replacing the call's TwiML ends this stream
            return true;
        }

        @Override
        public void hangUp() {
            if (twilio.configured()) {
                twilio.hangUpLater(sid, e -> LOG.log(System.Logger.Level.WARNING, "Call {0}: REST hang-up failed: {1}",
                                                     sid, e.getMessage()));
            }
            out.close(); // ends <Connect>; with no TwiML after it Twilio hangs up
        }

        @Override
        public void transfer(String number) {
            Thread.ofVirtual().start(() -> {
                try {
                    twilio.transfer(sid, number); // Twilio stops the stream itself
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "Call {0}: transfer to {1} failed: {2}", sid, number, e.getMessage());
                    out.close();
                }
            });
        }
    }
}
