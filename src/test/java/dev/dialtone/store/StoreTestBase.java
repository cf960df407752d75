package dev.dialtone.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/**
 * What the store's test contracts share: the database under test (a subclass names it), stores
 * opened with test timings and closed after each test, and small builders and waits.
 */
abstract class StoreTestBase {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    /** Stores opened by a test, closed after it; test thread only. */
    private final List<CallStore> opened = new ArrayList<>();

    /** The database server the tests run against. */
    abstract TestDatabase database();

    String newDatabaseUrl() throws Exception {
        return database().newDatabaseUrl();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(CallStore::close);
    }

    StoreSettings settings(String url) {
        return StoreSettings.defaults().withUrl(url)
                .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(10))
                .withRetention(Duration.ZERO);
    }

    CallStore open(StoreSettings settings, MeterRegistry registry) {
        var store = CallStore.open(settings, registry, Clock.fixed(T0, ZoneOffset.UTC));
        opened.add(store);
        return store;
    }

    CallStore open(String url) {
        return open(settings(url), new SimpleMeterRegistry());
    }

    static CallStart call(String sid, String flow, String from, Instant at) {
        return new CallStart(sid, flow, "v1", from, "+15550001111", Direction.INBOUND, at);
    }

    static void writeFullCall(CallStore store, String sid, Instant at) {
        var recorder = store.recorder();
        recorder.callStarted(call(sid, "luigis", "+1555", at));
        recorder.turnCompleted(new TurnRecord(sid, 0, "hi", "hello", false, TurnTimings.NONE,
                List.of(ToolCallRecord.succeeded("menu_price", "{}", "{}", 5))));
        recorder.event(new EventRecord(sid, at.plusSeconds(1), EventKind.HANGUP, "caller"));
        recorder.usage(new UsageRecord(sid, "openai", UsageKind.LLM_TOKENS, 10, 2));
        recorder.callEnded(new CallEnd(sid, at.plusSeconds(2), "caller hung up", CallStatus.COMPLETED));
    }

    static List<String> sids(CallPage page) {
        return page.calls().stream().map(CallSummary::sid).toList();
    }

    static double dropped(MeterRegistry registry, String reason) {
        return registry.get("dialtone.store.records.dropped").tag("reason", reason).counter().count();
    }

    /** Polls {@code condition} until it holds, failing after ten seconds. */
    static void await(BooleanSupplier condition) {
        var deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
