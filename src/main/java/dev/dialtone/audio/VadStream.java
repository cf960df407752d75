package dev.dialtone.audio;

import java.util.Arrays;

import ai.onnxruntime.OrtException;

/**
 * One call's voice activity by {@link SileroVad}: 20 ms mu-law frames in, 256-sample windows to
 * the model, with the call's own context and recurrent state. Only windows where the caller's
 * energy rises go to the model: a window quieter than {@link #GATE_LEVEL} (a phone line between
 * words is nearly digital silence) or than {@link #RISE} times the line's noise floor (steady hiss
 * or hum) is silence without asking it, which keeps the cost to the windows that carry a new
 * sound; once one has, the model hears every window for {@link #HANGOVER} more (it needs them in a
 * row to follow a word). The floor follows the quietest windows at once and louder ones slowly. Speech starts after
 * {@link #ONSET_WINDOWS} windows at or above {@link #ONSET} and ends at the first window below
 * {@link #OFFSET}. One thread at a time (the call's socket reader).
 */
public final class VadStream {
    private static final System.Logger LOG = System.getLogger(VadStream.class.getName());
    /** Probability at or above which a window is speech. */
    static final float ONSET = 0.5f;
    /** Probability below which speech has stopped (hysteresis below {@link #ONSET}). */
    static final float OFFSET = 0.35f;
    /** Windows of speech in a row before speech starts (64 ms: a click is not an onset). */
    static final int ONSET_WINDOWS = 2;
    /** Mean |sample| of a window below which the model is not asked (about -50 dBFS). */
    static final int GATE_LEVEL = 100;
    /** How far above the line's noise floor a window must be to go to the model (6 dB). */
    static final int RISE = 2;
    /** Windows after a rising one that go to the model whatever their level (256 ms). */
    static final int HANGOVER = 8;
    /** The share of the distance to a louder window the floor moves each window (half in ~0.45 s). */
    private static final double FLOOR_RISE = 0.05;
    /** Quiet windows in a row after which the recurrent state starts afresh (about 1 s). */
    private static final int RESET_AFTER = 32;

    private final SileroVad vad;
    private final float[] input = new float[SileroVad.CONTEXT + SileroVad.WINDOW]; // context, then the window filling
    private final float[] state = new float[SileroVad.STATE];
    private int filled;
    private long levelSum;
    private int above;
    private int quiet;
    private boolean speaking;
    private boolean failed;
    private float lastProbability;
    private double floor;            // the line's noise floor: mean |sample| of its quiet windows
    private int open;                // windows the model still hears after the last rising one

    public VadStream(SileroVad vad) {
        this.vad = vad;
    }

    /** Feeds a frame of caller audio; returns whether the caller is speaking as of its end. */
    public boolean hear(byte[] mulaw) {
        for (byte b : mulaw) {
            short sample = MuLaw.decode(b);
            input[SileroVad.CONTEXT + filled++] = sample / 32768f;
            levelSum += Math.abs(sample);
            if (filled == SileroVad.WINDOW) {
                window();
            }
        }
        return speaking;
    }

    /** Whether the model failed on this call (it then says nothing more; the caller's energy decides). */
    public boolean failed() {
        return failed;
    }

    /** The speech probability of the last window the model ran on (0 for a window gated out). */
    public float lastProbability() {
        return lastProbability;
    }

    /** Forgets the audio heard so far: the next window starts with a fresh state. */
    public void reset() {
        Arrays.fill(state, 0f);
        Arrays.fill(input, 0f);
        filled = 0;
        levelSum = 0;
        above = 0;
        quiet = 0;
        speaking = false;
        floor = 0;
        open = 0;
    }

    private void window() {
        long level = levelSum / SileroVad.WINDOW;
        float p = 0;
        if (level >= RISE * floor && level >= GATE_LEVEL) {
            open = HANGOVER + 1;
        }
        floor = level < floor ? level : floor + (level - floor) * FLOOR_RISE;
        if (open > 0) {
            open--;
        }
        if (level < GATE_LEVEL || open == 0 || failed) {
            if (++quiet == RESET_AFTER) {
                Arrays.fill(state, 0f);
            }
        } else {
            quiet = 0;
            try {
                p = vad.probability(input, state);
            } catch (OrtException | RuntimeException e) {
                failed = true;
                LOG.log(System.Logger.Level.WARNING, "Silero VAD failed on a call ({0}); that call goes on by energy",
                        e.getMessage());
            }
        }
        lastProbability = p;
        if (p >= ONSET) {
            above++;
            if (above >= ONSET_WINDOWS) {
                speaking = true;
            }
        } else {
            above = 0;
            if (p < OFFSET) {
                speaking = false;
            }
        }
        System.arraycopy(input, SileroVad.WINDOW, input, 0, SileroVad.CONTEXT);
        filled = 0;
        levelSum = 0;
    }
}
