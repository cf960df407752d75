package dev.dialtone.flow;

import java.nio.file.Path;

/**
 * Which files of the flows folder are flows. A flow's tests live beside it as
 * {@code <flow>.test.yaml}: YAML too, but not a flow, so the loader leaves them out (their own
 * checks and runner are {@code dev.dialtone.flowtest}'s); its draft as {@code <flow>.draft.yaml},
 * loaded apart from the live set (see {@link FlowRegistry}).
 */
public final class FlowFileNames {
    /** The ending of a flow test file: {@code luigis.test.yaml} tests {@code luigis.yaml}. */
    public static final String TEST_SUFFIX = ".test.yaml";

    private FlowFileNames() {
    }

    /** The ending of a flow's draft: {@code luigis.draft.yaml} is the draft of {@code luigis.yaml}. */
    public static final String DRAFT_SUFFIX = ".draft.yaml";

    /** A YAML file that is neither a flow test nor a draft: a live flow. */
    public static boolean isFlow(Path file) {
        var name = file.getFileName().toString();
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && !isTest(file) && !isDraft(file);
    }

    /** A flow's draft ({@code .draft.yaml}, or {@code .draft.yml}): it answers only its staging callers and the softphone. */
    public static boolean isDraft(Path file) {
        var name = file.getFileName().toString();
        return name.endsWith(DRAFT_SUFFIX) || name.endsWith(".draft.yml");
    }

    /** A flow test file ({@code .test.yaml}, or {@code .test.yml}). */
    public static boolean isTest(Path file) {
        var name = file.getFileName().toString();
        return name.endsWith(TEST_SUFFIX) || name.endsWith(".test.yml");
    }

    /** What a flow file, its tests and its draft share: {@code luigis} for {@code luigis.yaml}, {@code luigis.test.yaml} and {@code luigis.draft.yaml}. */
    public static String stem(Path file) {
        return file.getFileName().toString().replaceFirst("(\\.test|\\.draft)?\\.ya?ml$", "");
    }

    /** The test file beside a flow file: {@code flows/luigis.yaml} -> {@code flows/luigis.test.yaml}. */
    public static Path testsOf(Path flowFile) {
        return flowFile.resolveSibling(stem(flowFile) + TEST_SUFFIX);
    }
}
