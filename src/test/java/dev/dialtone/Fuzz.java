package dev.dialtone;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A small mutation fuzzer for parsers: each case is a valid sample changed a few times (bytes
 * flipped, removed, repeated, spliced from another sample, cut short; tokens that parsers trip on
 * inserted) or plain random bytes. Seeded, so a failure names the seed and replays exactly.
 */
public final class Fuzz {
    /** Inputs that break parsers more often than random bytes do. */
    private static final List<String> TOKENS = List.of("\r\n", "\n", "\u0000", "\"", "'", "\\", "{", "}", "[", "]",
            ":", ",", "%zz", "%0A", "-1", "+3", "0x", "99999999999999999999", "1e999", "NaN", "\u00e9", "\ud83d\ude00",
            "\uffff", "&", "=", ";", " ", "\t", "---", "!!", "*a", "&a", "<<: *a", "? ", "|", ">", "#", "null", "true");

    private final Random random;
    private final List<byte[]> samples;

    public Fuzz(long seed, List<byte[]> samples) {
        this.random = new Random(seed);
        this.samples = List.copyOf(samples);
    }

    /** Runs {@code check} on {@code cases} inputs made from text samples (UTF-8). */
    public static void run(int cases, List<String> samples, Consumer<byte[]> check) {
        runBytes(cases, samples.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList(), check);
    }

    /** Runs {@code check} on {@code cases} inputs made from byte samples; a failure names its case and input. */
    public static void runBytes(int cases, List<byte[]> samples, Consumer<byte[]> check) {
        for (int n = 0; n < cases; n++) {
            var input = new Fuzz(n, samples).next();
            try {
                check.accept(input);
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("fuzz case " + n + " failed on input: "
                                         + new String(input, StandardCharsets.UTF_8).replace("\n", "\\n"), e);
            }
        }
    }

    /** The next input. */
    public byte[] next() {
        if (random.nextInt(10) == 0) {
            var bytes = new byte[random.nextInt(512)];
            random.nextBytes(bytes);
            return bytes;
        }
        var input = samples.get(random.nextInt(samples.size())).clone();
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            input = mutate(input);
        }
        return input;
    }

    private byte[] mutate(byte[] in) {
        int at = in.length == 0 ? 0 : random.nextInt(in.length + 1);
        return switch (random.nextInt(7)) {
            case 0 -> { // flip a byte
                if (in.length > 0) {
                    in[Math.min(at, in.length - 1)] ^= (byte) (1 << random.nextInt(8));
                }
                yield in;
            }
            case 1 -> concat(Arrays.copyOf(in, at), Arrays.copyOfRange(in, Math.min(in.length, at + 1 + random.nextInt(16)), in.length));
            case 2 -> { // repeat a piece
                int end = Math.min(in.length, at + 1 + random.nextInt(32));
                var piece = Arrays.copyOfRange(in, at, end);
                yield concat(concat(Arrays.copyOf(in, end), piece), Arrays.copyOfRange(in, end, in.length));
            }
            case 3 -> { // splice from another sample
                var other = samples.get(random.nextInt(samples.size()));
                int from = other.length == 0 ? 0 : random.nextInt(other.length);
                yield concat(Arrays.copyOf(in, at), Arrays.copyOfRange(other, from, other.length));
            }
            case 4 -> Arrays.copyOf(in, at); // cut short
            default -> { // insert a token
                var token = TOKENS.get(random.nextInt(TOKENS.size())).getBytes(StandardCharsets.UTF_8);
                yield concat(concat(Arrays.copyOf(in, at), token), Arrays.copyOfRange(in, at, in.length));
            }
        };
    }

    private static byte[] concat(byte[] a, byte[] b) {
        var out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
