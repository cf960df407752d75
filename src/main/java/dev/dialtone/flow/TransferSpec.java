package dev.dialtone.flow;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonPointer;

/**
 * Where and how a transfer sends the caller ({@code transfer_to}, a DTMF route's {@code transfer}):
 * a number alone is a cold transfer (Twilio's {@code <Dial>}); the mapping form can make it warm:
 * the caller waits in a conference with {@code holdMusic} while the human at {@code to} is dialled
 * for up to {@code ring}, briefed (a summary of the call from the flow's LLM, guided by
 * {@code briefing}) and joined; if they do not answer or decline, the caller comes back to the
 * agent at {@code returnNode}, hearing {@code returnSay}. Immutable.
 */
public record TransferSpec(String to, Mode mode, Duration ring, Optional<String> briefing, String holdMusic,
                           Optional<String> returnNode, Optional<String> returnSay) {
    /** Twilio's own hold music (the default {@code waitUrl} of {@code <Conference>}). */
    public static final String TWILIO_HOLD_MUSIC = "https://twimlets.com/holdmusic?Bucket=com.twilio.music.classical";
    /** How long the human's phone rings when the flow does not say: Twilio's own default Timeout. */
    public static final int DEFAULT_RING_S = 30;
    static final int MAX_BRIEFING = 1000;
    static final int MAX_SAY = 500;

    public enum Mode { COLD, WARM }

    /** A cold transfer to {@code number}: today's {@code <Dial>}. */
    public static TransferSpec cold(String number) {
        return new TransferSpec(number, Mode.COLD, Duration.ofSeconds(DEFAULT_RING_S), Optional.empty(), TWILIO_HOLD_MUSIC,
                                Optional.empty(), Optional.empty());
    }

    public boolean warm() {
        return mode == Mode.WARM;
    }

    /**
     * The transfer at {@code at}: a number (the schema checked it), or a mapping with {@code to}. An
     * {@code on_no_answer} node that does not exist is an error at its line; empty when the schema
     * refused the value.
     */
    static Optional<TransferSpec> read(YamlFields in, JsonPointer at, Set<String> nodes, String what) {
        var number = in.text(at);
        if (number.isPresent()) {
            return number.map(TransferSpec::cold);
        }
        var to = in.text(at.appendProperty("to"));
        var mode = in.text(at.appendProperty("mode")).map(m -> m.equals("warm") ? Mode.WARM : Mode.COLD).orElse(Mode.COLD);
        var ring = in.integer(at.appendProperty("ring_s")).orElse(DEFAULT_RING_S);
        var briefing = line(in, at.appendProperty("briefing"), what + " briefing", MAX_BRIEFING);
        var hold = in.text(at.appendProperty("hold_music")).orElse(TWILIO_HOLD_MUSIC);
        var back = at.appendProperty("on_no_answer");
        var named = in.text(back.appendProperty("node"));
        named.filter(n -> !nodes.contains(n)).ifPresent(n -> in.error(in.line(back.appendProperty("node")),
                what + " on_no_answer goes to node '" + n + "', which does not exist" + Names.didYouMean(n, nodes)));
        var node = named.filter(nodes::contains);
        var say = line(in, back.appendProperty("say"), what + " on_no_answer say", MAX_SAY);
        return to.map(n -> new TransferSpec(n, mode, Duration.ofSeconds(ring), briefing, hold, node, say));
    }

    private static Optional<String> line(YamlFields in, JsonPointer at, String what, int max) {
        var text = in.text(at).map(String::strip);
        if (text.isPresent() && (text.get().isEmpty() || text.get().length() > max)) {
            in.error(in.line(at), what + " must be a line of 1 to " + max + " characters, not " + text.get().length());
            return Optional.empty();
        }
        return text;
    }
}
