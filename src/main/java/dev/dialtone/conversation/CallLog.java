package dev.dialtone.conversation;

/**
 * Where a call's record goes as it happens (the store). Called on the call's thread, so an
 * implementation must only enqueue and return: a slow database never delays audio.
 */
public interface CallLog {

    void started(CallTranscript call);

    /** A turn is complete (answered, interrupted or failed). */
    void turn(CallTranscript call, Turn.View turn);

    void note(CallTranscript call, CallTranscript.CallNote note);

    void ended(CallTranscript call);

    /**
     * What a provider was used for: kind is "llm_tokens" (input, output), "tts_characters"
     * (characters, 0) or "stt_audio_ms" (milliseconds, 0).
     */
    void usage(CallTranscript call, String provider, String kind, long input, long output);

    /** Both logs, in order. */
    static CallLog both(CallLog first, CallLog second) {
        return new CallLog() {
            public void started(CallTranscript call) {
                first.started(call);
                second.started(call);
            }

            public void turn(CallTranscript call, Turn.View turn) {
                first.turn(call, turn);
                second.turn(call, turn);
            }

            public void note(CallTranscript call, CallTranscript.CallNote note) {
                first.note(call, note);
                second.note(call, note);
            }

            public void ended(CallTranscript call) {
                first.ended(call);
                second.ended(call);
            }

            public void usage(CallTranscript call, String provider, String kind, long input, long output) {
                first.usage(call, provider, kind, input, output);
                second.usage(call, provider, kind, input, output);
            }
        };
    }

    /** Keeps nothing. */
    CallLog NONE = new CallLog() {
        public void started(CallTranscript call) {
        }

        public void turn(CallTranscript call, Turn.View turn) {
        }

        public void note(CallTranscript call, CallTranscript.CallNote note) {
        }

        public void ended(CallTranscript call) {
        }

        public void usage(CallTranscript call, String provider, String kind, long input, long output) {
        }
    };
}
