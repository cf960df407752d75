package dev.dialtone.flow;

import java.util.Optional;

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
        var voicemail = in.text(YamlFields.at("voicemail", "say"));
        var screening = in.text(YamlFields.at("screening"));
        Optional<RecordingPolicy> recording = Optional.empty();
        if (in.bool(YamlFields.at("recording", "enabled")).orElse(false)) {
            boolean dual = in.text(YamlFields.at("recording", "channels")).orElse("dual").equals("dual");
            recording = Optional.of(new RecordingPolicy(dual, in.text(YamlFields.at("recording", "consent"))));
        }
        return new PhoneFeatures(voicemail, screening, recording);
    }
}
