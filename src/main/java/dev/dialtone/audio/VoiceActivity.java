package dev.dialtone.audio;

/**
 * A cheap voice activity test on one frame of mu-law audio: mean absolute amplitude above a
 * threshold. Phone lines carry little noise, and this only has to say when the caller last made
 * a sound (the end of their speech, for latency measurements), not what they said.
 */
public final class VoiceActivity {
    /** Mean |sample| above which a frame counts as speech (about -36 dBFS). */
    public static final int DEFAULT_THRESHOLD = 500;

    private VoiceActivity() {
    }

    public static boolean isSpeech(byte[] mulaw) {
        return isSpeech(mulaw, DEFAULT_THRESHOLD);
    }

    public static boolean isSpeech(byte[] mulaw, int threshold) {
        if (mulaw.length == 0) {
            return false;
        }
        long sum = 0;
        for (byte b : mulaw) {
            sum += Math.abs(MuLaw.decode(b));
        }
        return sum / mulaw.length > threshold;
    }
}
