package dev.dialtone.flow;

import java.nio.file.Path;

/**
 * Which files of the flows folder are flows. A flow's tests live beside it as
 * {@code <flow>.test.yaml}: YAML too, but not a flow, so the loader leaves them out (their own
 * checks and runner are {@code dev.dialtone.flowtest}'s).
 */
public final class FlowFileNames {
    /** The ending of a flow test file: {@code luigis.test.yaml} tests {@code luigis.yaml}. */
    public static final String TEST_SUFFIX = ".test.yaml";

    private FlowFileNames() {
    }

    /** A YAML file that is not a flow test. */
    public static boolean isFlow(Path file) {
        var name = file.getFileName().toString();
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && !isTest(file);
    }

    /** A flow test file ({@code .test.yaml}, or {@code .test.yml}). */
    public static boolean isTest(Path file) {
        var name = file.getFileName().toString();
        return name.endsWith(TEST_SUFFIX) || name.endsWith(".test.yml");
    }

    /** What a flow file and its tests share: {@code luigis} for {@code luigis.yaml} and {@code luigis.test.yaml}. */
    public static String stem(Path file) {
        return file.getFileName().toString().replaceFirst("(\\.test)?\\.ya?ml$", "");
    }

    /** The test file beside a flow file: {@code flows/luigis.yaml} -> {@code flows/luigis.test.yaml}. */
    public static Path testsOf(Path flowFile) {
        return flowFile.resolveSibling(stem(flowFile) + TEST_SUFFIX);
    }
}
