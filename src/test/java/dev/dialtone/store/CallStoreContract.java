package dev.dialtone.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store's behaviour, run against each database it supports: a subclass says how to make a
 * fresh, empty database and how to reach it through a {@link CuttableProxy}.
 */
abstract class CallStoreContract {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    /** Stores opened by a test, closed after it; test thread only. */
    private final List<CallStore> opened = new ArrayList<>();

    /** A JDBC URL of a new, empty database (no tables) on the server under test. */
    abstract String newDatabaseUrl() throws Exception;

    /** Port of the database server, for a proxy to forward to. */
    abstract int serverPort();

    /** A JDBC URL of a new, empty database reached through a proxy on {@code proxyPort}. */
    abstract String newDatabaseUrlVia(int proxyPort) throws Exception;

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

    @Test
    void aWholeCallWrittenIsReadBackExactly() throws Exception {
        var url = newDatabaseUrl();
        var store = open(url);
        var recorder = store.recorder();
        var start = new CallStart("CA1", "luigis", "sha-1f2e", "+15551230001", "+15550001111", Direction.INBOUND, T0);
        var greeting = new TurnRecord("CA1", 0, "", "Thanks for calling Luigi's!", false,
                new TurnTimings(null, null, null, null, T0.plusMillis(300), T0.plusMillis(320)), List.of());
        var timings = new TurnTimings(T0.plusMillis(5_000), T0.plusMillis(5_180), T0.plusMillis(5_600),
                T0.plusMillis(5_750), T0.plusMillis(5_900), T0.plusMillis(5_930));
        var ordering = new TurnRecord("CA1", 1, "How much is a margherita?", "Let me check. It's twelve fifty.",
                true, timings, List.of(
                        ToolCallRecord.succeeded("menu_price", "{\"item\":\"margherita\"}", "{\"price\":12.5}", 84),
                        ToolCallRecord.failed("place_order", "{}", "timed out after 2000 ms", 2000)));
        var transfer = new CallEvent("CA1", T0.plusSeconds(9), EventKind.TRANSFER, "+15550009999");
        var error = new CallEvent("CA1", T0.plusSeconds(8), EventKind.ERROR, "tts: connection reset");
        recorder.callStarted(start);
        recorder.turnCompleted(greeting);
        recorder.turnCompleted(ordering);
        recorder.event(transfer);
        recorder.event(error);
        recorder.usage(new UsageRecord("CA1", "openai", UsageKind.LLM_TOKENS, 300, 40));
        recorder.usage(new UsageRecord("CA1", "openai", UsageKind.LLM_TOKENS, 420, 25));
        recorder.usage(new UsageRecord("CA1", "deepgram", UsageKind.STT_AUDIO_MILLIS, 9_500, 0));
        recorder.callEnded(new CallEnd("CA1", T0.plusSeconds(10), "transferred", CallStatus.COMPLETED));
        store.close();

        var detail = open(url).findCall("CA1").orElseThrow();

        assertThat(detail.summary()).isEqualTo(new CallSummary("CA1", "luigis", "sha-1f2e", "+15551230001",
                "+15550001111", Direction.INBOUND, T0, T0.plusSeconds(10), "transferred", CallStatus.COMPLETED, 2));
        assertThat(detail.turns()).containsExactly(greeting, ordering);
        assertThat(detail.turns().get(1).timings().sinceSpeechEnd(timings.ttsFirstAudio())).contains(900L);
        assertThat(detail.events()).containsExactly(error, transfer);
        assertThat(detail.usage()).containsExactly(
                new UsageRecord("CA1", "deepgram", UsageKind.STT_AUDIO_MILLIS, 9_500, 0),
                new UsageRecord("CA1", "openai", UsageKind.LLM_TOKENS, 720, 65));
    }

    @Test
    void aTurnWrittenAgainReplacesTheFirstAndAnUnknownSidIsEmpty() throws Exception {
        var store = open(newDatabaseUrl());
        var recorder = store.recorder();
        recorder.callStarted(call("CA2", "luigis", "+1555", T0));
        recorder.turnCompleted(new TurnRecord("CA2", 0, "hi", "first", false, TurnTimings.NONE,
                List.of(ToolCallRecord.succeeded("a", "{}", "1", 1), ToolCallRecord.succeeded("b", "{}", "2", 2))));
        var again = new TurnRecord("CA2", 0, "hi", "second", true, TurnTimings.NONE,
                List.of(ToolCallRecord.succeeded("c", "{}", "3", 3)));
        recorder.turnCompleted(again);

        await(() -> store.findCall("CA2").map(d -> d.turns().equals(List.of(again))).orElse(false));
        assertThat(store.findCall("CA-none")).isEmpty();
    }

    @Test
    void aBatchWrittenTwiceChangesNothing() throws Exception {
        var url = newDatabaseUrl();
        var store = open(url);
        var batch = List.of(
                new QueuedRecord(call("CA-I", "luigis", "+1555", T0), "k1", T0),
                new QueuedRecord(new TurnRecord("CA-I", 0, "hi", "hello", false, TurnTimings.NONE,
                        List.of(ToolCallRecord.succeeded("menu_price", "{}", "{}", 3))), "k2", T0),
                new QueuedRecord(new CallEvent("CA-I", T0, EventKind.HANGUP, "caller"), "k3", T0),
                new QueuedRecord(new UsageRecord("CA-I", "openai", UsageKind.LLM_TOKENS, 100, 10), "k4", T0),
                new QueuedRecord(new CallEnd("CA-I", T0.plusSeconds(5), "caller hung up", CallStatus.COMPLETED), "k5", T0));
        // As when a commit succeeded but its acknowledgement was lost and the writer tried again.
        for (var attempt = 0; attempt < 2; attempt++) {
            try (var c = DriverManager.getConnection(url)) {
                c.setAutoCommit(false);
                var writer = new RecordWriter();
                for (var record : batch) {
                    writer.write(c, record);
                }
                c.commit();
            }
        }

        var detail = store.findCall("CA-I").orElseThrow();
        assertThat(detail.summary().status()).isEqualTo(CallStatus.COMPLETED);
        assertThat(detail.turns()).hasSize(1);
        assertThat(detail.turns().getFirst().toolCalls()).hasSize(1);
        assertThat(detail.events()).hasSize(1);
        assertThat(detail.usage()).containsExactly(new UsageRecord("CA-I", "openai", UsageKind.LLM_TOKENS, 100, 10));
    }

    @Test
    void recordsOfACallWhoseStartWasNeverWrittenStillLand() throws Exception {
        var store = open(newDatabaseUrl());
        var turn = new TurnRecord("CA3", 0, "hello?", "hi", false, TurnTimings.NONE, List.of());
        store.recorder().turnCompleted(turn);
        store.recorder().callEnded(new CallEnd("CA3", T0.plusSeconds(3), "caller hung up", CallStatus.COMPLETED));

        await(() -> store.findCall("CA3").map(d -> d.summary().status() == CallStatus.COMPLETED).orElse(false));
        var detail = store.findCall("CA3").orElseThrow();
        assertThat(detail.turns()).containsExactly(turn);
        assertThat(detail.summary().startedAt()).isEqualTo(T0); // when the turn was queued
    }

    @Test
    void aRecordTheDatabaseRefusesIsDroppedAloneAndCounted() throws Exception {
        var url = newDatabaseUrl();
        var registry = new SimpleMeterRegistry();
        var store = open(settings(url), registry);
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            s.execute("ALTER TABLE calls ADD CONSTRAINT no_refused CHECK (flow_name <> 'refused')");
        }
        for (var i = 0; i < 5; i++) {
            store.recorder().callStarted(call("CA-R" + i, i == 2 ? "refused" : "ok", "+1555", T0.plusSeconds(i)));
        }

        await(() -> store.findCalls(CallQuery.all()).total() == 4 && store.recorder().pending() == 0);
        assertThat(store.findCall("CA-R2")).isEmpty();
        assertThat(dropped(registry, "refused")).isEqualTo(1);
        assertThat(store.recorder().droppedCount()).isEqualTo(1);
    }

    @Test
    void callsAreFilteredAndPaged() throws Exception {
        var store = open(newDatabaseUrl());
        var recorder = store.recorder();
        // Seven calls, one a minute apart: flows luigis/clinic, one caller number shared.
        for (var i = 0; i < 7; i++) {
            var flow = i % 2 == 0 ? "luigis" : "clinic";
            var from = i < 3 ? "+15557770000" : "+1555000000" + i;
            recorder.callStarted(call("CA-F" + i, flow, from, T0.plus(Duration.ofMinutes(i))));
        }
        recorder.callEnded(new CallEnd("CA-F1", T0.plusSeconds(90), "done", CallStatus.COMPLETED));
        recorder.callEnded(new CallEnd("CA-F4", T0.plusSeconds(300), "stt failed", CallStatus.FAILED));
        await(() -> store.findCalls(CallQuery.all().withStatus(CallStatus.FAILED)).total() == 1);

        assertThat(sids(store.findCalls(CallQuery.all()))).containsExactly(
                "CA-F6", "CA-F5", "CA-F4", "CA-F3", "CA-F2", "CA-F1", "CA-F0");
        assertThat(sids(store.findCalls(CallQuery.all().withFlow("clinic")))).containsExactly("CA-F5", "CA-F3", "CA-F1");
        assertThat(sids(store.findCalls(CallQuery.all().withNumber("+15557770000"))))
                .containsExactly("CA-F2", "CA-F1", "CA-F0");
        assertThat(sids(store.findCalls(CallQuery.all().withNumber("+15550001111")))).hasSize(7); // the called number
        assertThat(sids(store.findCalls(CallQuery.all().withStartedBetween(T0.plus(Duration.ofMinutes(2)),
                T0.plus(Duration.ofMinutes(4)))))).containsExactly("CA-F3", "CA-F2");
        assertThat(sids(store.findCalls(CallQuery.all().withStatus(CallStatus.ACTIVE))))
                .containsExactly("CA-F6", "CA-F5", "CA-F3", "CA-F2", "CA-F0");
        assertThat(sids(store.findCalls(CallQuery.all().withFlow("luigis").withStatus(CallStatus.ACTIVE)
                .withNumber("+15557770000")))).containsExactly("CA-F2", "CA-F0");

        var pages = new ArrayList<String>();
        var query = CallQuery.all().withPage(3, 0);
        var pageCount = 0;
        while (true) {
            var page = store.findCalls(query);
            assertThat(page.total()).isEqualTo(7);
            pages.addAll(sids(page));
            pageCount++;
            var next = query.next(page);
            if (next.isEmpty()) {
                break;
            }
            query = next.get();
        }
        assertThat(pageCount).isEqualTo(3);
        assertThat(pages).containsExactly("CA-F6", "CA-F5", "CA-F4", "CA-F3", "CA-F2", "CA-F1", "CA-F0");
        var beyond = store.findCalls(CallQuery.all().withPage(3, 9));
        assertThat(beyond.calls()).isEmpty();
        assertThat(beyond.total()).isEqualTo(7);
    }

    @Test
    void aCrashMidCallKeepsEveryCompletedTurn() throws Exception {
        var url = newDatabaseUrl();
        var java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        var child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashingCall.class.getName(), url, "CA-CRASH").redirectErrorStream(true).start();
        var output = new StringBuilder();
        try (var lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !line.equals("READY")) {
                output.append(line).append('\n');
            }
            assertThat(line).as("child output:\n" + output).isEqualTo("READY");
            child.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }

        var detail = open(url).findCall("CA-CRASH").orElseThrow();
        assertThat(detail.summary().status()).isEqualTo(CallStatus.ACTIVE);
        assertThat(detail.turns()).extracting(TurnRecord::index).containsExactly(0, 1);
        assertThat(detail.turns().get(1).agentText()).isEqualTo("agent 1");
    }

    @Test
    void whileTheDatabaseIsDownRecordsWaitUpToTheLimitThenArrive() throws Exception {
        try (var proxy = new CuttableProxy(serverPort())) {
            var registry = new SimpleMeterRegistry();
            var store = open(settings(newDatabaseUrlVia(proxy.port())).withQueue(5, 200), registry);
            var recorder = store.recorder();
            recorder.callStarted(call("CA-D", "luigis", "+1555", T0));
            await(() -> store.findCall("CA-D").isPresent());

            proxy.cut();
            var began = System.nanoTime();
            for (var i = 0; i < 7; i++) {
                recorder.turnCompleted(new TurnRecord("CA-D", i, "q" + i, "a" + i, false, TurnTimings.NONE, List.of()));
            }
            // A caller never waits for the database: one connection attempt alone takes 500 ms here.
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofMillis(200));
            assertThat(dropped(registry, "queue_full")).isEqualTo(2);
            assertThat(registry.get("dialtone.store.queue.depth").gauge().value()).isEqualTo(5);
            await(() -> registry.get("dialtone.store.write.retries").counter().count() >= 2);

            proxy.restore();
            await(() -> recorder.pending() == 0);
            assertThat(store.findCall("CA-D").orElseThrow().turns()).extracting(TurnRecord::index)
                    .containsExactly(0, 1, 2, 3, 4);
            assertThat(registry.get("dialtone.store.queue.depth").gauge().value()).isZero();
            assertThat(recorder.droppedCount()).isEqualTo(2);
        }
    }

    @Test
    void closingWhileTheDatabaseIsDownCountsWhatIsLost() throws Exception {
        try (var proxy = new CuttableProxy(serverPort())) {
            var registry = new SimpleMeterRegistry();
            var settings = settings(newDatabaseUrlVia(proxy.port()));
            var store = open(settings.withTimeouts(settings.connectTimeout(), settings.retryMin(), settings.retryMax(),
                    Duration.ofMillis(300)), registry);
            proxy.cut();
            for (var i = 0; i < 3; i++) {
                store.recorder().callStarted(call("CA-L" + i, "luigis", "+1555", T0));
            }
            var began = System.nanoTime();
            store.close();
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(3));
            assertThat(dropped(registry, "shutdown")).isEqualTo(3);

            store.recorder().callStarted(call("CA-L9", "luigis", "+1555", T0));
            assertThat(dropped(registry, "closed")).isEqualTo(1);
            assertThat(store.recorder().droppedCount()).isEqualTo(4);
        }
    }

    @Test
    void closeWritesEverythingQueued() throws Exception {
        var url = newDatabaseUrl();
        var store = open(url);
        for (var i = 0; i < 300; i++) {
            store.recorder().callStarted(call("CA-Q" + i, "luigis", "+1555", T0.plusSeconds(i)));
        }
        store.close();
        assertThat(open(url).findCalls(CallQuery.all()).total()).isEqualTo(300);
    }

    @Test
    void purgeDeletesOldCallsWithAllTheirRecords() throws Exception {
        var url = newDatabaseUrl();
        var store = open(url);
        writeFullCall(store, "CA-OLD", T0.minus(Duration.ofDays(40)));
        writeFullCall(store, "CA-NEW", T0.minus(Duration.ofDays(10)));
        await(() -> store.recorder().pending() == 0);

        assertThat(store.purgeOlderThan(T0.minus(Duration.ofDays(30)))).isEqualTo(1);

        assertThat(store.findCall("CA-OLD")).isEmpty();
        assertThat(store.findCall("CA-NEW").orElseThrow().turns()).hasSize(1);
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            for (var table : List.of("turns", "tool_calls", "call_events", "call_usage")) {
                try (var rs = s.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE call_sid = 'CA-OLD'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as(table).isZero();
                }
            }
        }
    }

    @Test
    void theRetentionLoopPurgesByTheInjectedClock() throws Exception {
        var registry = new SimpleMeterRegistry();
        var store = open(settings(newDatabaseUrl()).withRetention(Duration.ofDays(30))
                .withPurgeInterval(Duration.ofMillis(50)), registry);
        store.recorder().callStarted(call("CA-31D", "luigis", "+1555", T0.minus(Duration.ofDays(31))));
        store.recorder().callStarted(call("CA-29D", "luigis", "+1555", T0.minus(Duration.ofDays(29))));

        await(() -> registry.get("dialtone.store.calls.purged").counter().count() == 1);
        assertThat(sids(store.findCalls(CallQuery.all()))).containsExactly("CA-29D");
    }

    @Test
    void anUnreachableDatabaseFailsToOpenWithoutShowingThePassword() {
        var url = newUnreachableUrl();
        assertThatThrownBy(() -> CallStore.open(settings(url).withCredentials("dialtone", "s3cret-pw"),
                new SimpleMeterRegistry()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot open the database")
                .hasMessageNotContaining("s3cret-pw");
    }

    /** A URL of this kind whose server is not there. */
    abstract String newUnreachableUrl();

    static CallStart call(String sid, String flow, String from, Instant at) {
        return new CallStart(sid, flow, "v1", from, "+15550001111", Direction.INBOUND, at);
    }

    static void writeFullCall(CallStore store, String sid, Instant at) {
        var recorder = store.recorder();
        recorder.callStarted(call(sid, "luigis", "+1555", at));
        recorder.turnCompleted(new TurnRecord(sid, 0, "hi", "hello", false, TurnTimings.NONE,
                List.of(ToolCallRecord.succeeded("menu_price", "{}", "{}", 5))));
        recorder.event(new CallEvent(sid, at.plusSeconds(1), EventKind.HANGUP, "caller"));
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
