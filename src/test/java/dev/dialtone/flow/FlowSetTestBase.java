package dev.dialtone.flow;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;

/**
 * What the validation tests share: a folder of flow and plugin files written per test, one plugin
 * engine per class, and the problems the loader finds in the folder (on a given day, since
 * retired models depend on it).
 */
abstract class FlowSetTestBase {
    /** Every provider with a key, so that only the files speak. */
    static final Set<String> ALL_KEYS = Set.of("deepgram", "openai", "anthropic", "elevenlabs");
    static PluginRuntime runtime;
    @TempDir
    Path root;
    FlowFiles files;

    @BeforeAll
    static void startRuntime() {
        runtime = new PluginRuntime(PluginSettings.none());
    }

    @AfterAll
    static void stopRuntime() {
        runtime.close();
    }

    @BeforeEach
    void folders() {
        files = new FlowFiles(root);
    }

    /** The folder's problems with these provider keys set, judged on {@code day}. */
    List<Problem> problems(Set<String> keys, Instant day) {
        return FlowSetLoader.load(files.flows, files.plugins, runtime, keys, Map.of(), Map.of(), day).problems();
    }

    /** The folder's problems with every key set, before any announced retirement. */
    List<Problem> problems() {
        return problems(ALL_KEYS, Instant.EPOCH);
    }
}
