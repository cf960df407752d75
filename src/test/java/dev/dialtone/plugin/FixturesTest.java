package dev.dialtone.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flow test's fixtures in a plugin run: {@code call.http.fetch} is answered from them (never the
 * network, whatever the allow-list), a request they do not answer fails inside the plugin, and
 * their settings lie over config.yaml's.
 */
class FixturesTest {
    @TempDir
    Path dir;
    PluginRuntime runtime;
    final List<FetchAnswers.Request> asked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        // no host is allowed: only fixtures can answer
        runtime = new PluginRuntime(new PluginSettings(List.of(), Map.of("order", Map.of("url", "https://kitchen.example/orders",
                "token", "t-1")), PluginLimits.defaults()));
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private PluginTool order() throws Exception {
        var file = dir.resolve("order.js");
        Files.writeString(file, """
                export default {
                  description: "d",
                  parameters: { type: "object", properties: {} },
                  async run(args, call) {
                    const r = await call.http.fetch(call.config.url, { method: "post", headers: { Authorization: "Bearer " + call.config.token },
                                                                     body: { item: "calzone" } });
                    return { status: r.status, ok: r.ok, type: r.headers["content-type"], number: r.json().order_number,
                             mode: call.config.mode || "live" };
                  }
                };
                """);
        return runtime.load(file);
    }

    private ToolOutcome invoke(PluginTool tool, Optional<PluginFixtures> fixtures) {
        var ctx = new ToolCallContext("CA1", "+15551230000", "+15550001111", "luigis", Optional.empty(), new CallState(),
                                      new RecordedActions());
        return tool.invoke("{}", fixtures.map(ctx::withFixtures).orElse(ctx));
    }

    @Test
    void theFixturesAnswerTheRequestAsThePluginMadeIt() throws Exception {
        FetchAnswers answers = request -> {
            asked.add(request);
            return Optional.of(new FetchAnswers.Response(201, Map.of("Content-Type", "application/json"), "{\"order_number\":\"A17\"}"));
        };
        var result = invoke(order(), Optional.of(new PluginFixtures(answers, Map.of("order", Map.of("mode", "test")))));
        assertThat(result.forModel())
                .isEqualTo("{\"status\":201,\"ok\":true,\"type\":\"application/json\",\"number\":\"A17\",\"mode\":\"test\"}");
        assertThat(asked).containsExactly(new FetchAnswers.Request("POST", "https://kitchen.example/orders",
                Map.of("Authorization", "Bearer t-1"), "{\"item\":\"calzone\"}"));
    }

    @Test
    void aRequestTheFixturesDoNotAnswerFailsInThePlugin() throws Exception {
        var result = invoke(order(), Optional.of(new PluginFixtures(request -> Optional.empty(), Map.of())));
        assertThat(result).isInstanceOfSatisfying(ToolOutcome.Failure.class, f -> assertThat(f.message())
                .contains("http.fetch: the test case has no answer for POST https://kitchen.example/orders"));
    }

    @Test
    void withoutFixturesTheAllowListStillApplies() throws Exception {
        var result = invoke(order(), Optional.empty());
        assertThat(result).isInstanceOfSatisfying(ToolOutcome.Failure.class, f -> assertThat(f.message())
                .contains("host kitchen.example is not in plugins.allowed-hosts"));
    }
}
