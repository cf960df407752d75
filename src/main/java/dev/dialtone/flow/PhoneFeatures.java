package dev.dialtone.flow;

import java.util.Optional;

import com.fasterxml.jackson.core.JsonPointer;

/**
 * What a flow asks of the phone line besides the conversation: the message left on an answering
 * machine (outbound calls), the line a call screener hears, and recording with consent.
 */
public record PhoneFeatures(Optional<String> voicemail, Optional<String> screening, Optional<RecordingPolicy> recording) {
    public static final PhoneFeatures NONE = new PhoneFeatures(Optional.empty(), Optional.empty(), Optional.empty());

    /** Record the call through Twilio: both parties on one channel or each on its own; the consent line is spoken first. */
    public record RecordingPolicy(boolean dual, Optional<String> consent) {
    }

    /** Read from a checked flow file; a value the schema refused is left out. */
    static PhoneFeatures read(YamlFields in) {
        var voicemail = line(in, YamlFields.at("voicemail", "say"), "voicemail say", 1000);
        in.text(YamlFields.at("voicemail", "then")); // hangup, the only choice (the schema holds it to that)
        var screening = line(in, YamlFields.at("screening"), "screening", 500);
        Optional<RecordingPolicy> recording = Optional.empty();
        if (in.bool(YamlFields.at("recording", "enabled")).orElse(false)) {
            boolean dual = in.text(YamlFields.at("recording", "channels")).orElse("dual").equals("dual");
            recording = Optional.of(new RecordingPolicy(dual, line(in, YamlFields.at("recording", "consent"), "recording consent", 500)));
        }
        return new PhoneFeatures(voicemail, screening, recording);
    }

    /** A line the agent speaks: not blank, and at most {@code max} characters (an error at its line otherwise). */
    private static Optional<String> line(YamlFields in, JsonPointer at, String what, int max) {
        var text = in.text(at).map(String::strip);
        if (text.isPresent() && (text.get().isEmpty() || text.get().length() > max)) {
            in.error(in.line(at), what + " must be a line of 1 to " + max + " characters, not " + text.get().length());
            return Optional.empty();
        }
        return text;
    }
}
