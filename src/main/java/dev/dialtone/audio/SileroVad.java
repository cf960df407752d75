package dev.dialtone.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Silero VAD (MIT, vendored beside this class with its licence and SHA-256) in process through
 * ONNX Runtime, at 8 kHz: one inference takes, for each row of a batch, 32 samples of context and
 * a 256-sample window (32 ms) with the row's recurrent state {@code [2, rows, 128]}, and gives the
 * probability that the window is speech and the next state. The session is shared by every call
 * and is safe to run from many threads at once; each call keeps its own state ({@link VadStream}),
 * and the windows of calls ready together run as one batch.
 */
public final class SileroVad implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SileroVad.class.getName());
    /** Samples per window at 8 kHz. */
    public static final int WINDOW = 256;
    /** Samples of the previous window fed before each window. */
    public static final int CONTEXT = 32;
    /** Floats of recurrent state per row (2 x 128). */
    public static final int STATE = 256;
    private static final String MODEL = "silero_vad.onnx";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxTensor sampleRate;
    private final LongAdder windows = new LongAdder();
    private final LongAdder inferences = new LongAdder();
    private final VadBatcher batcher = new VadBatcher(this);

    private SileroVad(OrtEnvironment env, OrtSession session, OnnxTensor sampleRate) {
        this.env = env;
        this.session = session;
        this.sampleRate = sampleRate;
    }

    /**
     * The speech probability of one call's window ({@code CONTEXT + WINDOW} samples), run in one
     * batch with the windows of other calls ready at the same moment ({@link VadBatcher});
     * {@code state} (256 floats) is replaced by the next.
     */
    public float probability(float[] input, float[] state) throws OrtException {
        return batcher.probability(input, state);
    }

    /**
     * The model, or empty when it cannot run here (native library missing, model damaged): calls
     * then tell speech by energy alone, and the log says why once.
     */
    public static Optional<SileroVad> load() {
        try {
            return load(readResource(MODEL), new String(readResource(MODEL + ".sha256"), StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            return unavailable(e);
        }
    }

    /** The model from {@code model}, refused unless its SHA-256 is {@code expected}; empty when it cannot run. */
    static Optional<SileroVad> load(byte[] model, String expected) {
        try {
            checkSum(model, expected);
            var env = OrtEnvironment.getEnvironment();
            var options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1); // many small runs from many threads: no thread pool inside
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            var session = env.createSession(model, options);
            var vad = new SileroVad(env, session, OnnxTensor.createTensor(env, new long[] {Frames.SAMPLE_RATE}));
            vad.probabilities(new float[CONTEXT + WINDOW], new float[STATE], 1); // a first run proves the inputs fit
            LOG.log(System.Logger.Level.INFO, "Silero VAD loaded (ONNX Runtime {0})", env.getVersion());
            return Optional.of(vad);
        } catch (IOException | OrtException | RuntimeException | LinkageError e) {
            return unavailable(e);
        }
    }

    private static Optional<SileroVad> unavailable(Throwable e) {
        LOG.log(System.Logger.Level.WARNING, "Silero VAD unavailable ({0}: {1}); barge-in detects speech by energy only",
                e.getClass().getSimpleName(), e.getMessage());
        return Optional.empty();
    }

    /**
     * Runs {@code rows} windows in one inference. {@code input} holds each row's context and window
     * ({@code rows * (CONTEXT + WINDOW)} samples in [-1, 1]); {@code state} holds the rows' state as
     * the model lays it out ({@code [2][rows][128]}) and is replaced by the next. Returns each row's
     * speech probability.
     */
    public float[] probabilities(float[] input, float[] state, int rows) throws OrtException {
        if (input.length != rows * (CONTEXT + WINDOW) || state.length != rows * STATE) {
            throw new IllegalArgumentException("input or state does not match " + rows + " rows");
        }
        try (var x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {rows, CONTEXT + WINDOW});
             var h = OnnxTensor.createTensor(env, FloatBuffer.wrap(state), new long[] {2, rows, 128});
             var result = session.run(Map.of("input", x, "state", h, "sr", sampleRate))) {
            var out = (float[][]) result.get("output").orElseThrow().getValue();
            ((OnnxTensor) result.get("stateN").orElseThrow()).getFloatBuffer().get(state);
            windows.add(rows);
            inferences.increment();
            var p = new float[rows];
            for (int i = 0; i < rows; i++) {
                p[i] = out[i][0];
            }
            return p;
        }
    }

    /** Windows run since start, all calls together (the cost the gate keeps down). */
    public long windowsRun() {
        return windows.sum();
    }

    /** Inferences run since start: with {@link #windowsRun()}, the mean batch. */
    public long inferencesRun() {
        return inferences.sum();
    }

    @Override
    public void close() {
        try {
            sampleRate.close();
            session.close();
        } catch (OrtException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the VAD session: {0}", e.getMessage());
        }
    }

    /** The vendored model, refused unless its SHA-256 is the one recorded beside it. */
    static byte[] readModel() throws IOException {
        byte[] model = readResource(MODEL);
        checkSum(model, new String(readResource(MODEL + ".sha256"), StandardCharsets.US_ASCII).strip());
        return model;
    }

    private static void checkSum(byte[] model, String expected) throws IOException {
        String actual = sha256(model);
        if (!actual.equals(expected)) {
            throw new IOException(MODEL + " has SHA-256 " + actual + ", expected " + expected);
        }
    }

    private static byte[] readResource(String name) throws IOException {
        try (InputStream in = resource(name)) {
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        var in = SileroVad.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is missing from the classpath");
        }
        return in;
    }
}
