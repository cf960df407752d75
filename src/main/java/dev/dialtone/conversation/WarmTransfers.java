package dev.dialtone.conversation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.telephony.ConferenceTransfer;

/**
 * The calls on hold for a warm transfer, by call sid, and what becomes of their records. A
 * conversation that transfers warm stops and leaves a {@link HeldCall} here ({@link #hold}); its
 * briefing is written at once, while the human's phone rings ({@link Briefing}), and
 * {@link ConferenceTransfer} runs the transfer on Twilio. Its outcome is a TRANSFER note on the
 * call's record, {@code "<number> warm answered"}, {@code "... warm no-answer (busy)"} or
 * {@code "... warm declined"} (so the store's event and the webhook's call.transferred carry it);
 * then the record ends (answered, or abandoned when the caller hung up on hold) or waits for the
 * caller's new stream, which {@link #comingBack} hands to the switchboard.
 */
public final class WarmTransfers implements ConferenceTransfer.Listener {
    private static final System.Logger LOG = System.getLogger(WarmTransfers.class.getName());
    /** A caller sent back whose new stream has not come by then has hung up: the record ends. */
    static final Duration COME_BACK_WAIT = Duration.ofSeconds(60);

    private final CallClock clock;
    private final Function<String, Optional<TextToSpeech>> tts;
    private final Map<String, HeldCall> held = new ConcurrentHashMap<>();
    private final Map<String, HeldCall> returning = new ConcurrentHashMap<>();
    private volatile ConferenceTransfer conferences;

    /** @param tts the TTS provider by name (the briefing speaks in the flow's voice) */
    WarmTransfers(CallClock clock, Function<String, Optional<TextToSpeech>> tts) {
        this.clock = clock;
        this.tts = tts;
    }

    /** Where transfers run (set once when the server's routes are built). */
    public void via(ConferenceTransfer conferences) {
        this.conferences = conferences;
    }

    /** Whether a held call can be transferred warm here (Twilio configured, and the stream told us our public address). */
    boolean available(String base) {
        var c = conferences;
        return c != null && c.available() && !base.isEmpty();
    }

    /** Holds the call and starts its transfer on a virtual thread (REST requests); {@code base} is the server's public URL. */
    void hold(HeldCall call, String base) {
        held.put(call.callSid(), call);
        var block = call.flow().flow().tts();
        var briefing = tts.apply(block.provider())
                .map(t -> Briefing.write(call, t, Switchboard.ttsOptions(block)))
                .orElseGet(() -> CompletableFuture.completedFuture(
                        new ConferenceTransfer.Briefing(Briefing.summary(call), Optional.empty())));
        var stream = new LinkedHashMap<String, String>();
        stream.put("from", call.from());
        stream.put("to", call.to());
        stream.put("direction", call.direction());
        stream.put("flow", call.flow().name());
        // the human sees the line's own number: the one called (inbound) or the one calling (outbound)
        var callerId = call.direction().startsWith("outbound") ? call.from() : call.to();
        var request = new ConferenceTransfer.Request(call.callSid(), call.spec().to(), callerId, call.spec().ring(),
                                                     call.spec().holdMusic(), base, call.flow().name(), stream, briefing);
        Thread.ofVirtual().name("transfer-" + call.callSid()).start(() -> conferences.start(request));
    }

    /** The held call whose caller is coming back on a new stream, once. */
    Optional<HeldCall> comingBack(String callSid) {
        return Optional.ofNullable(returning.remove(callSid));
    }

    @Override
    public void joined(String callerSid) {
        var call = held.remove(callerSid);
        if (call != null) {
            note(call, "answered");
            end(call, "transferred (warm) to " + call.spec().to());
        }
    }

    @Override
    public void returning(String callerSid, String outcome, String detail) {
        var call = held.remove(callerSid);
        if (call != null) {
            note(call, outcome.equals(detail) ? outcome : outcome + " (" + detail + ")");
            returning.put(callerSid, call);
            clock.schedule(COME_BACK_WAIT, () -> {
                if (returning.remove(callerSid, call)) {
                    end(call, "caller did not come back from the transfer");
                }
            });
        }
    }

    @Override
    public void abandoned(String callerSid, String why) {
        var call = held.remove(callerSid);
        if (call == null) {
            call = returning.remove(callerSid);
        }
        if (call != null) {
            LOG.log(System.Logger.Level.INFO, "Call {0}: warm transfer ended: {1}", callerSid, why);
            note(call, "abandoned");
            end(call, why);
        }
    }

    private void note(HeldCall call, String outcome) {
        call.transcript().note(clock.now(), "transfer", call.spec().to() + " warm " + outcome);
    }

    private void end(HeldCall call, String reason) {
        call.transcript().finalState(call.shownState());
        call.transcript().end(clock.now(), reason);
    }
}
