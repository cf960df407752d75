package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowVersion;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import dev.dialtone.plugin.Tool;
import dev.dialtone.plugin.ToolCallContext;
import dev.dialtone.plugin.ToolOutcome;

/**
 * A flow for {@link ConversationHarness}, loaded and validated like any other, whose tools
 * ({@link #TOOLS}) block until the test releases their call's {@code key} argument and then
 * return {@code {"key": ..., "done": true}}. One per test class: loading starts the plugin engine.
 */
final class HarnessFlow implements AutoCloseable {
    static final List<String> TOOLS = List.of("lookup", "book");

    private final PluginRuntime plugins;
    private final FlowRegistry flows;
    private final FlowVersion version;
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Set<String> started = ConcurrentHashMap.newKeySet();

    /** A flow for {@code provider} with the given YAML lines after its name, tools and LLM. */
    HarnessFlow(Path dir, String provider, String flowBody) throws Exception {
        var flowsDir = Files.createDirectories(dir.resolve("flows"));
        var pluginsDir = Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(flowsDir.resolve("h.yaml"), "name: h\ndefault: true\ntools: [lookup, book]\nllm: { provider: "
                + provider + " }\n" + flowBody);
        for (var tool : TOOLS) {
            Files.writeString(pluginsDir.resolve(tool + ".js"), """
                    export default { description: "a test tool", parameters: { type: "object", properties: {} },
                                     async run(args, call) { return {}; } };
                    """);
        }
        plugins = new PluginRuntime(PluginSettings.none());
        flows = new FlowRegistry(flowsDir, pluginsDir, plugins, Set.of(provider, "deepgram"), new SimpleMeterRegistry(),
                                 Clock.systemUTC());
        assertThat(flows.reload().applied()).isTrue();
        var loaded = flows.byName("h").orElseThrow();
        var tools = new LinkedHashMap<String, Tool>(loaded.tools());
        TOOLS.forEach(name -> tools.put(name, new GatedTool(name)));
        version = new FlowVersion(loaded.flow(), tools, loaded.transitions(), loaded.hash(), loaded.loadedAt());
    }

    FlowVersion version() {
        return version;
    }

    /** Lets the call with this key finish (now, or as soon as it starts). */
    void release(String key) {
        gate(key).countDown();
    }

    /** Whether a call with this key has started running. */
    boolean started(String key) {
        return started.contains(key);
    }

    private CountDownLatch gate(String key) {
        return gates.computeIfAbsent(key, k -> new CountDownLatch(1));
    }

    /** Lets every tool call still blocked finish, and forgets every key: for the next test. */
    void reset() {
        gates.values().forEach(CountDownLatch::countDown);
        gates.clear();
        started.clear();
    }

    @Override
    public void close() {
        reset();
        flows.close();
        plugins.close();
    }

    private final class GatedTool implements Tool {
        private final String name;

        GatedTool(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public String description() {
            return "a test tool";
        }

        public String parametersSchema() {
            return "{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}}}";
        }

        public Optional<String> say() {
            return Optional.empty();
        }

        public Duration timeout() {
            return Duration.ofSeconds(30);
        }

        public ToolOutcome invoke(String argumentsJson, ToolCallContext context) {
            var key = argumentsJson.replaceAll(".*\"key\"\\s*:\\s*\"([^\"]*)\".*", "$1");
            var gate = gate(key);
            started.add(key);
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ToolOutcome.Result("{\"key\":\"" + key + "\",\"done\":true}");
        }
    }
}
