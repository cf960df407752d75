package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialtone.plugin.CallState;
import dev.dialtone.plugin.RecordedActions;
import dev.dialtone.plugin.ToolCallContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routing by number, version pinning, atomic swaps, refused reloads and what they report. */
class RegistryTest extends FlowSetTestBase {
    SimpleMeterRegistry meters;
    FlowRegistry registry;

    @BeforeEach
    void setUp() {
        meters = new SimpleMeterRegistry();
        registry = new FlowRegistry(files.flows, files.plugins, runtime, FlowSetTestBase.ALL_KEYS, meters,
                Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        registry.close();
    }

    static TemplateValues values() {
        return new TemplateValues("+15551230000", "+15550001111", Map.of(), ZonedDateTime.parse("2026-11-28T12:00:00Z"));
    }

    static ToolCallContext call() {
        return new ToolCallContext("CA1", "+15551230000", "+15550001111", "a", Optional.empty(), new CallState(), new RecordedActions());
    }

    @Test
    void routesByExactNumberElseToTheDefault() {
        files.flow("shop.yaml", "name: shop\nnumbers: [\"+15550001111\", \"+15550001112\"]\n");
        files.flow("desk.yaml", "name: desk\ndefault: true\n");
        assertThat(registry.reload().applied()).isTrue();
        assertThat(registry.forNumber("+15550001112").orElseThrow().name()).isEqualTo("shop");
        assertThat(registry.forNumber("+15559999999").orElseThrow().name()).isEqualTo("desk");
        assertThat(registry.byName("shop").orElseThrow().flow().numbers()).containsExactly("+15550001111", "+15550001112");
        assertThat(registry.byName("nope")).isEmpty();
    }

    @Test
    void aCallThatArrivesWhileTheFirstLoadRunsInTheBackgroundWaitsForItsFlow() throws Exception {
        // a plugin whose module takes a while to evaluate: the server listens before it is loaded
        files.plugin("slow_start", """
                // a fixed amount of arithmetic, well inside the statement and memory limits
                // (a loop until some time has passed hits one or the other, depending on the machine)
                let x = 1;
                for (let n = 0; n < 1000000; n++) { x = (x * 31 + n) % 1000003; }
                export default { description: "d", parameters: { type: "object", properties: {} }, async run() { return 1; } };
                """);
        files.flow("shop.yaml", "name: shop\nnumbers: [\"+15550001111\"]\ntools: [slow_start]\n");
        var firstLoad = registry.startInBackground();
        assertThat(firstLoad).as("still loading when the call comes").isNotDone();
        assertThat(registry.forNumber("+15550001111").orElseThrow().name()).isEqualTo("shop");
        assertThat(firstLoad.get().applied()).isTrue();
    }

    @Test
    void aFirstLoadHeldUntilTheServerListensStartsThenAndACallThatCameEarlierWaitsForIt() throws Exception {
        files.flow("shop.yaml", "name: shop\nnumbers: [\"+15550001111\"]\n");
        var listening = new CompletableFuture<Void>();
        var firstLoad = registry.startInBackground(listening);
        var lookup = CompletableFuture.supplyAsync(() -> registry.forNumber("+15550001111"));
        Thread.sleep(200); // time enough for a load that did not wait (a few ms for a flow without plugins)
        assertThat(firstLoad).as("not begun before the server listens").isNotDone();
        assertThat(lookup).as("the early call waits for its flow").isNotDone();

        listening.complete(null);
        assertThat(firstLoad.get(30, TimeUnit.SECONDS).applied()).isTrue();
        assertThat(lookup.get(30, TimeUnit.SECONDS).orElseThrow().name()).isEqualTo("shop");
    }

    @Test
    void withoutADefaultAnUnknownNumberHasNoFlow() {
        files.flow("shop.yaml", "name: shop\nnumbers: [\"+15550001111\"]\n");
        registry.reload();
        assertThat(registry.forNumber("+15559999999")).isEmpty();
    }

    @Test
    void aCallKeepsItsVersionAcrossAReload() {
        files.plugin("menu_price", FlowFiles.simplePlugin("{ price: 10 }"));
        files.flow("a.yaml", "name: a\nnumbers: [\"+15550001111\"]\nprompt: Old prompt.\ntools: [menu_price]\n");
        registry.reload();
        var pinned = registry.forNumber("+15550001111").orElseThrow();

        files.plugin("menu_price", FlowFiles.simplePlugin("{ price: 12 }"));
        files.flow("a.yaml", "name: a\nnumbers: [\"+15550001111\"]\nprompt: New prompt.\ntools: [menu_price]\n");
        var outcome = registry.reload();
        assertThat(outcome.applied()).isTrue();
        assertThat(outcome.changed()).containsExactly("a");

        var current = registry.forNumber("+15550001111").orElseThrow();
        assertThat(current.hash()).isNotEqualTo(pinned.hash());
        assertThat(pinned.prompt(Optional.empty(), values())).isEqualTo("Old prompt.");
        assertThat(current.prompt(Optional.empty(), values())).isEqualTo("New prompt.");
        assertThat(pinned.tool("menu_price", Optional.empty()).orElseThrow().invoke("{}", call()).forModel()).isEqualTo("{\"price\":10}");
        assertThat(current.tool("menu_price", Optional.empty()).orElseThrow().invoke("{}", call()).forModel()).isEqualTo("{\"price\":12}");
    }

    @Test
    void aDraftIsRoutedToItsStagingCallersOnlyAndItsChangesAreReported() {
        files.flow("a.yaml", "name: a\nnumbers: [\"+15550001111\"]\nprompt: Live.\n");
        registry.reload();
        files.flow("a.draft.yaml", "name: a\nnumbers: [\"+15550001111\"]\nstaging_callers: [\"+15557770000\"]\nprompt: Draft.\n");
        assertThat(registry.reload().changed()).containsExactly("a.draft");
        assertThat(registry.routeCall("+15550001111", "+15557770000")).contains("a.draft");
        assertThat(registry.routeCall("+15550001111", "+15551230000")).contains("a");
        assertThat(registry.routeCall("+15559999999", "+15557770000")).isEmpty();
        assertThat(registry.byName("a.draft").orElseThrow().prompt(Optional.empty(), values())).isEqualTo("Draft.");
        assertThat(registry.byName("a").orElseThrow().prompt(Optional.empty(), values())).isEqualTo("Live.");
        assertThat(registry.reload().changed()).isEmpty();
        files.flow("b.draft.yaml", "name: b\n");
        var orphan = registry.reload();
        assertThat(orphan.applied()).isTrue();
        assertThat(orphan.errors()).extracting(Problem::toString).containsExactly(files.flows.resolve("b.draft.yaml")
                + ":1: a draft is the next version of a flow beside it: b.yaml is not in the flows folder (a new flow needs no draft)");
        assertThat(registry.status()).extracting(FlowStatus::name).containsExactly("a", "a.draft", "b.draft");
    }

    @Test
    void aPluginChangeGivesItsFlowsANewVersionAndLeavesOthersAlone() {
        files.plugin("menu_price", FlowFiles.simplePlugin("1"));
        files.flow("a.yaml", "name: a\ntools: [menu_price]\n");
        files.flow("b.yaml", "name: b\n");
        registry.reload();
        var a1 = registry.byName("a").orElseThrow();
        var b1 = registry.byName("b").orElseThrow();
        files.plugin("menu_price", FlowFiles.simplePlugin("2"));
        assertThat(registry.reload().changed()).containsExactly("a");
        assertThat(registry.byName("a").orElseThrow().hash()).isNotEqualTo(a1.hash());
        assertThat(registry.byName("b").orElseThrow()).isSameAs(b1);
        assertThat(registry.reload().changed()).isEmpty();
    }

    @Test
    void nodeToolsIncludeFlowToolsNodeToolsAndTransitions() {
        files.plugin("menu_price", FlowFiles.simplePlugin("1"));
        files.plugin("place_order", FlowFiles.simplePlugin("2"));
        files.flow("a.yaml", """
                name: a
                prompt: Be brief.
                tools: [end_call]
                nodes:
                  take_order:
                    prompt: Take the order for {{call.from}}.
                    tools: [menu_price, place_order]
                    next: { confirm: "The caller is done", goodbye: "The caller gives up" }
                  confirm: { prompt: Confirm., next: { goodbye: "Confirmed" } }
                  goodbye: { say: "Bye", end: true }
                """);
        registry.reload();
        var v = registry.byName("a").orElseThrow();
        assertThat(v.startNode()).contains("take_order");
        assertThat(v.toolsAt(Optional.of("take_order"))).extracting(t -> t.name())
                .containsExactly("end_call", "menu_price", "place_order", "goto_confirm", "goto_goodbye");
        assertThat(v.toolsAt(Optional.of("confirm"))).extracting(t -> t.name()).containsExactly("end_call", "goto_goodbye");
        assertThat(v.tool("goto_goodbye", Optional.of("confirm")).orElseThrow().description()).contains("Confirmed");
        assertThat(v.tool("menu_price", Optional.of("confirm"))).isEmpty();
        assertThat(v.prompt(Optional.of("take_order"), values())).isEqualTo("Be brief.\n\nTake the order for +15551230000.");
    }

    @Test
    void aBrokenFileKeepsTheOldVersionAndIsReportedWithItsLine() {
        files.flow("a.yaml", "name: a\nnumbers: [\"+15550001111\"]\nprompt: Good.\n");
        registry.reload();
        var good = registry.forNumber("+15550001111").orElseThrow();
        var broken = files.flow("a.yaml", "name: a\nnumbers: [\"+15550001111\"]\nprompt: Bad.\nturn: { max_call_s: forever }\n");
        files.flow("b.yaml", "name: b\nnumbers: [\"+1555\"]\n");

        var outcome = registry.reload();
        assertThat(outcome.applied()).isFalse();
        assertThat(outcome.errors()).extracting(Problem::toString).containsExactly(
                broken + ":4: max_call_s must be a whole number, not text",
                root.resolve("flows/b.yaml") + ":2: a number '+1555' is not an E.164 number (a + then 7 to 15 digits, e.g. \"+15550001111\")");
        assertThat(registry.forNumber("+15550001111").orElseThrow()).isSameAs(good);
        assertThat(registry.byName("b")).isEmpty();

        var status = registry.status();
        assertThat(status).hasSize(2);
        var a = status.get(0);
        assertThat(a.name()).isEqualTo("a");
        assertThat(a.version()).contains(good.hash());
        assertThat(a.loadedAt()).contains(Instant.parse("2026-11-28T12:00:00Z"));
        assertThat(a.lastError()).contains(broken + ":4: max_call_s must be a whole number, not text");
        var b = status.get(1);
        assertThat(b.name()).isEqualTo("b");
        assertThat(b.version()).isEmpty();
        assertThat(b.lastError().orElseThrow()).startsWith(root.resolve("flows/b.yaml") + ":2:");

        assertThat(meters.counter("dialtone.flows.reload.failures").count()).isEqualTo(1.0);
        assertThat(meters.timer("dialtone.flows.reload.duration", "outcome", "refused").count()).isEqualTo(1);
        assertThat(meters.timer("dialtone.flows.reload.duration", "outcome", "applied").count()).isEqualTo(1);

        files.flow("b.yaml", "name: b\nnumbers: [\"+15550002222\"]\n");
        files.flow("a.yaml", "name: a\nnumbers: [\"+15550001111\"]\nprompt: Fixed.\n");
        assertThat(registry.reload().applied()).isTrue();
        assertThat(registry.status()).allMatch(s -> s.lastError().isEmpty());
        assertThat(registry.forNumber("+15550001111").orElseThrow().prompt(Optional.empty(), values())).isEqualTo("Fixed.");
    }

    @Test
    void aBrokenPluginKeepsTheOldToolAndShowsOnTheFlowsThatUseIt() {
        files.plugin("menu_price", FlowFiles.simplePlugin("{ price: 10 }"));
        files.flow("a.yaml", "name: a\ntools: [menu_price]\n");
        files.flow("b.yaml", "name: b\n");
        registry.reload();
        var plugin = files.plugin("menu_price", "export default {\n  description: 'x',\n  run(args) { return { price: 11 ; }\n};\n");
        var outcome = registry.reload();
        assertThat(outcome.applied()).isFalse();
        var tool = registry.byName("a").orElseThrow().tool("menu_price", Optional.empty()).orElseThrow();
        assertThat(tool.invoke("{}", call()).forModel()).isEqualTo("{\"price\":10}");
        var status = registry.status();
        assertThat(status.get(0).lastError().orElseThrow()).contains(plugin + ":3: plugin menu_price syntax error");
        assertThat(status.get(1).lastError()).isEmpty();
    }

    @Test
    void versionGaugeFollowsTheLiveVersion() {
        files.flow("a.yaml", "name: a\nprompt: one\n");
        registry.reload();
        var v1 = registry.byName("a").orElseThrow().hash();
        assertThat(meters.get("dialtone.flows.version").tag("flow", "a").tag("version", v1).gauge().value())
                .isEqualTo(Instant.parse("2026-11-28T12:00:00Z").getEpochSecond());
        files.flow("a.yaml", "name: a\nprompt: two\n");
        registry.reload();
        var v2 = registry.byName("a").orElseThrow().hash();
        assertThat(meters.find("dialtone.flows.version").tag("flow", "a").gauges()).hasSize(1);
        assertThat(meters.find("dialtone.flows.version").tag("version", v2).gauge()).isNotNull();
    }

    @Test
    void missingProviderKeysShowAsWarningsInStatus() {
        var f = files.flow("a.yaml", "name: a\nllm: { provider: anthropic }\n");
        try (var keyless = new FlowRegistry(files.flows, files.plugins, runtime, java.util.Set.of("deepgram", "openai"), meters, Clock.systemUTC())) {
            assertThat(keyless.reload().applied()).isTrue();
            assertThat(keyless.status().getFirst().warnings()).containsExactly(
                    f + ":2: warning: llm provider anthropic has no API key (set ANTHROPIC_API_KEY); calls to this flow will fail until it is set");
        }
    }

    @Test
    void lookupsNeverSeeAHalfAppliedReload() throws Exception {
        // Generation g moves +15550001111 between flows a and b: a half-applied set would show it twice or not at all.
        writeGeneration(0);
        registry.reload();
        var stop = new AtomicBoolean();
        var lookups = new AtomicLong();
        var anomalies = new ConcurrentLinkedQueue<String>();
        var readers = List.of(Thread.ofPlatform().start(() -> read(stop, lookups, anomalies)),
                Thread.ofPlatform().start(() -> read(stop, lookups, anomalies)));
        for (int g = 1; g <= 20; g++) {
            writeGeneration(g);
            assertThat(registry.reload().applied()).isTrue();
        }
        while (lookups.get() < 5_000) {
            Thread.onSpinWait();
        }
        stop.set(true);
        for (var r : readers) {
            r.join();
        }
        assertThat(anomalies).isEmpty();
        assertThat(lookups.get()).isGreaterThanOrEqualTo(5_000);
        assertThat(registry.byName("a").orElseThrow().prompt(Optional.empty(), values())).isEqualTo("generation 20");
    }

    private void writeGeneration(int g) {
        var owner = g % 2 == 0 ? "a" : "b";
        files.flow("a.yaml", "name: a\nprompt: generation " + g + "\nnumbers: [\"+15550002222\"" + (owner.equals("a") ? ", \"+15550001111\"" : "") + "]\n");
        files.flow("b.yaml", "name: b\nprompt: generation " + g + "\nnumbers: [\"+15550003333\"" + (owner.equals("b") ? ", \"+15550001111\"" : "") + "]\n");
    }

    private void read(AtomicBoolean stop, AtomicLong lookups, ConcurrentLinkedQueue<String> anomalies) {
        while (!stop.get()) {
            var versions = registry.versions();
            if (versions.size() != 2) {
                anomalies.add("saw " + versions.size() + " flows");
            }
            var prompts = versions.stream().map(v -> v.flow().prompt().text()).distinct().toList();
            if (prompts.size() != 1) {
                anomalies.add("mixed generations " + prompts);
            }
            long owners = versions.stream().filter(v -> v.flow().numbers().contains("+15550001111")).count();
            if (owners != 1) {
                anomalies.add("+15550001111 owned by " + owners + " flows");
            }
            var routed = registry.forNumber("+15550001111");
            if (routed.isEmpty() || !routed.get().flow().numbers().contains("+15550001111")) {
                anomalies.add("lookup returned " + routed);
            }
            lookups.incrementAndGet();
        }
    }
}
