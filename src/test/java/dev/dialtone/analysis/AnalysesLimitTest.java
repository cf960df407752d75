package dev.dialtone.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ChatStream;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import dev.dialtone.store.AnalysisRecord;
import dev.dialtone.store.CallEnd;
import dev.dialtone.store.CallStart;
import dev.dialtone.store.CallStatus;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.Direction;
import dev.dialtone.store.StoreSettings;

/**
 * The analyses' bounds: one running and one waiting here; a third is refused and counted, and the
 * two admitted ones finish once the (held) LLM answers. An unknown call is no analysis at all.
 */
class AnalysesLimitTest {
    private static final Instant T0 = Instant.parse("2026-12-07T09:00:00Z");
    private static final String SPEC = "{\"schema\":{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}}},"
                                       + "\"prompt\":\"p\",\"provider\":\"held\"}";

    /** An LLM that answers only when the test lets it, in order. */
    private static final class HeldModel implements ChatModel {
        final List<Consumer<ChatEvent>> waiting = new CopyOnWriteArrayList<>();

        public ChatStream stream(ChatRequest request, Consumer<ChatEvent> listener) {
            waiting.add(listener);
            return () -> { };
        }

        void answerNext() {
            var listener = waiting.removeFirst();
            listener.accept(new ChatEvent.TextDelta("{\"ok\":true}"));
            listener.accept(new ChatEvent.Done("stop", ChatEvent.Usage.NONE));
        }
    }

    @Test
    void pastTheRunningAndWaitingAnalysesOneIsRefusedAndCounted() throws Exception {
        var metrics = new SimpleMeterRegistry();
        var dir = Files.createTempDirectory("analyses");
        try (var store = CallStore.open(StoreSettings.defaults().withUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1")
                                                     .withRetention(Duration.ZERO), metrics);
             var plugins = new PluginRuntime(PluginSettings.none());
             var flows = new FlowRegistry(Files.createDirectories(dir.resolve("flows")),
                                          Files.createDirectories(dir.resolve("plugins")), plugins, Set.of(),
                                          metrics, Clock.systemUTC())) {
            var model = new HeldModel();
            var analyses = new Analyses(store, Map.of("held", model), flows,
                    new CallAnalysis(Clock.fixed(T0, ZoneOffset.UTC), Duration.ofSeconds(30), 60_000, 1000, metrics), metrics,
                    new Analyses.Limits(1, 1));
            for (var sid : List.of("CA1", "CA2", "CA3")) {
                store.recorder().callStarted(new CallStart(sid, "f", "v1", "+1", "+2", Direction.INBOUND, T0));
                store.recorder().callEnded(new CallEnd(sid, T0.plusSeconds(5), "done", CallStatus.COMPLETED));
                Await.until(() -> store.findCall(sid).isPresent(), Duration.ofSeconds(10));
                assertThat(store.saveAnalysis(new AnalysisRecord(sid, AnalysisRecord.Status.FAILED, Optional.empty(),
                        Optional.of("llm: down"), "v1", SPEC, T0, Map.of()))).isTrue();
            }

            assertThat(analyses.rerun("CA1")).containsInstanceOf(Analyses.Result.Started.class);
            Await.until(() -> model.waiting.size() == 1, Duration.ofSeconds(10)); // CA1 runs
            assertThat(analyses.rerun("CA2")).containsInstanceOf(Analyses.Result.Started.class); // waits
            assertThat(analyses.rerun("CA3")).containsInstanceOf(Analyses.Result.Refused.class);
            assertThat(metrics.counter("dialtone.analysis.refused").count()).isEqualTo(1.0);
            assertThat(analyses.rerun("CA-none")).isEmpty();

            model.answerNext();
            Await.until(() -> model.waiting.size() == 1, Duration.ofSeconds(10)); // CA2's turn came
            model.answerNext();
            for (var sid : List.of("CA1", "CA2")) {
                Await.until(() -> store.findCall(sid).flatMap(d -> d.analysis())
                                       .filter(a -> a.status() == AnalysisRecord.Status.DONE).isPresent(), Duration.ofSeconds(10));
            }
            assertThat(store.findCall("CA3").orElseThrow().analysis().orElseThrow().status()).isEqualTo(AnalysisRecord.Status.FAILED);
            assertThat(metrics.counter("dialtone.analysis.runs", "outcome", "done").count()).isEqualTo(2.0);
        }
    }
}
