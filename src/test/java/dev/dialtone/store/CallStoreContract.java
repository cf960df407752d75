package dev.dialtone.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The store's behaviour when the database is there: what is written is read back, found by
 * filters and pages, written once however often retried, and purged when old. Run against each
 * database the store supports.
 */
abstract class CallStoreContract extends StoreTestBase {

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
                        ToolCallRecord.failed("place_order", "{}", "timed out after 2000 ms", 2000)), T0.plusMillis(5_180));
        var transfer = new EventRecord("CA1", T0.plusSeconds(9), EventKind.TRANSFER, "+15550009999");
        var error = new EventRecord("CA1", T0.plusSeconds(8), EventKind.ERROR, "tts: connection reset");
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
    void recordsArrivingCloseTogetherShareOneCommit() throws Exception {
        var registry = new SimpleMeterRegistry();
        var store = open(settings(newDatabaseUrl()), registry);
        var recorder = store.recorder();
        recorder.callStarted(call("CA-G", "luigis", "+1555", T0));
        for (int i = 0; i < 10; i++) { // a turn every 10 ms, as many calls on one server hand them over
            Thread.sleep(10);
            recorder.turnCompleted(new TurnRecord("CA-G", i, "q" + i, "a" + i, false, TurnTimings.NONE, List.of()));
        }
        await(() -> recorder.pending() == 0);
        assertThat(store.findCall("CA-G").orElseThrow().turns()).hasSize(10);
        // one commit per record without gathering; a 2-core machine's stalls may split the batch once or twice
        assertThat(registry.get("dialtone.store.commits").counter().count()).isBetween(1.0, 4.0);
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
                new QueuedRecord(new EventRecord("CA-I", T0, EventKind.HANGUP, "caller"), "k3", T0),
                new QueuedRecord(new UsageRecord("CA-I", "openai", UsageKind.LLM_TOKENS, 100, 10), "k4", T0),
                new QueuedRecord(new CallEnd("CA-I", T0.plusSeconds(5), "caller hung up", CallStatus.COMPLETED), "k5", T0));
        // As when a commit succeeded but its acknowledgement was lost and the writer tried again.
        for (var attempt = 0; attempt < 2; attempt++) {
            try (var c = DriverManager.getConnection(url)) {
                c.setAutoCommit(false);
                var writer = new RecordWriter();
                for (var record : batch) {
                    writer.write(c, record, attempt > 0); // the recorder says when a batch is a retry
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
    void oversizedToolJsonAndEventDetailAreKeptCutNotRefused() throws Exception {
        var store = open(newDatabaseUrl());
        var huge = "{\"rows\":\"" + "x".repeat(300_000) + "\"}";
        store.recorder().callStarted(call("CA-BIG", "luigis", "+1555", T0));
        store.recorder().turnCompleted(new TurnRecord("CA-BIG", 0, "list everything", "here", false,
                TurnTimings.NONE, List.of(ToolCallRecord.succeeded("dump", "{}", huge, 7))));
        store.recorder().event(new EventRecord("CA-BIG", T0, EventKind.ERROR, "e".repeat(20_000)));

        await(() -> store.findCall("CA-BIG").map(d -> d.turns().size() == 1 && d.events().size() == 1).orElse(false));
        var detail = store.findCall("CA-BIG").orElseThrow();
        var kept = new ObjectMapper().readTree(detail.turns().getFirst().toolCalls().getFirst().resultJson());
        assertThat(kept.get("truncated").asBoolean()).isTrue();
        assertThat(kept.get("length").asInt()).isEqualTo(huge.length());
        assertThat(huge).startsWith(kept.get("head").asText());
        assertThat(detail.events().getFirst().detail()).startsWith("eeee").hasSizeLessThan(8_100);
    }

    @Test
    void anAnalysisIsStoredWithItsCallReplacedByAReRunFoundByItsFieldsAndPurgedWithTheCall() throws Exception {
        var store = open(newDatabaseUrl());
        var first = new AnalysisRecord("CA-A", AnalysisRecord.Status.INVALID, Optional.of("{\"booked\":\"maybe\"}"),
                Optional.of("$.booked: string found, boolean expected"), "v1", "{\"prompt\":\"p\"}", T0.plusSeconds(5),
                Map.of("booked", "maybe"));
        assertThat(store.saveAnalysis(first)).as("no call CA-A yet").isFalse();

        writeFullCall(store, "CA-A", T0);
        writeFullCall(store, "CA-B", T0.plusSeconds(1));
        await(() -> store.findCalls(CallQuery.all()).total() == 2);
        assertThat(store.saveAnalysis(first)).isTrue();
        assertThat(store.findCall("CA-A").orElseThrow().analysis()).contains(first);

        var again = new AnalysisRecord("CA-A", AnalysisRecord.Status.DONE, Optional.of("{\"booked\":true,\"party\":4}"),
                Optional.empty(), "v1", "{\"prompt\":\"p\"}", T0.plusSeconds(60), Map.of("booked", "true", "party", "4"));
        assertThat(store.saveAnalysis(again)).isTrue();
        assertThat(store.findCall("CA-A").orElseThrow().analysis()).contains(again);
        assertThat(store.findCall("CA-B").orElseThrow().analysis()).isEmpty();

        var all = CallQuery.all();
        assertThat(sids(store.findCalls(all.withAnalysis(AnalysisRecord.Status.DONE, Map.of())))).containsExactly("CA-A");
        assertThat(sids(store.findCalls(all.withAnalysis(null, Map.of("booked", "true", "party", "4"))))).containsExactly("CA-A");
        assertThat(sids(store.findCalls(all.withAnalysis(null, Map.of("booked", "maybe"))))).isEmpty();
        assertThat(sids(store.findCalls(all.withAnalysis(AnalysisRecord.Status.FAILED, Map.of())))).isEmpty();

        store.purgeOlderThan(T0.plusMillis(500));
        assertThat(sids(store.findCalls(all))).containsExactly("CA-B");
        assertThat(store.findCalls(all.withAnalysis(AnalysisRecord.Status.DONE, Map.of())).total()).isZero();
    }

    @Test
    void aRecordingKeepsItsLastStatusAndALateEarlierOneDoesNotReplaceIt() throws Exception {
        var store = open(newDatabaseUrl());
        var sid = "RE" + "a".repeat(32);
        store.recordingStatus(sid, "CA-R", "started", Optional.empty(), Optional.empty());
        store.recordingStatus(sid, "CA-R", "in-progress", Optional.of(2), Optional.empty());
        store.recordingStatus(sid, "CA-R", "completed", Optional.empty(), Optional.of(42));
        store.recordingStatus(sid, "CA-R", "in-progress", Optional.empty(), Optional.empty()); // delivered late
        store.recordingStatus(sid, "CA-R", "started", Optional.empty(), Optional.empty());     // the REST answer, later still

        assertThat(store.recordings("CA-R")).containsExactly(
                new RecordingRecord(sid, "CA-R", "completed", Optional.of(2), Optional.of(42), T0));
        assertThat(store.recordings("CA-other")).isEmpty();
    }

    @Test
    void purgeDeletesOldRecordingsAtTwilioFirstAndKeepsThoseItCouldNotDelete() throws Exception {
        var store = open(newDatabaseUrl());
        writeFullCall(store, "CA-OLD", T0.minus(Duration.ofDays(40)));
        writeFullCall(store, "CA-NEW", T0.minus(Duration.ofDays(10)));
        await(() -> store.recorder().pending() == 0);
        var old = "RE" + "1".repeat(32);
        var stuck = "RE" + "2".repeat(32);
        var fresh = "RE" + "3".repeat(32);
        store.recordingStatus(old, "CA-OLD", "completed", Optional.of(2), Optional.of(30));
        store.recordingStatus(stuck, "CA-OLD", "completed", Optional.of(2), Optional.of(5));
        store.recordingStatus(fresh, "CA-NEW", "completed", Optional.of(2), Optional.of(9));
        var deleted = new ArrayList<String>();
        store.deleteRecordingsWith(sid -> {
            if (sid.equals(stuck)) {
                throw new IllegalStateException("Twilio API error 500");
            }
            deleted.add(sid);
        });

        assertThat(store.purgeOlderThan(T0.minus(Duration.ofDays(30)))).isEqualTo(1);

        assertThat(deleted).containsExactly(old);
        assertThat(store.recordings("CA-NEW")).extracting(RecordingRecord::recordingSid).containsExactly(fresh);
        // the call is gone, the recording Twilio still holds is not: the next purge tries again
        assertThat(store.recordings("CA-OLD")).extracting(RecordingRecord::recordingSid).containsExactly(stuck);
        store.deleteRecordingsWith(deleted::add);
        store.purgeOlderThan(T0.plus(Duration.ofDays(1)));
        assertThat(deleted).contains(stuck);
        assertThat(store.recordings("CA-OLD")).isEmpty();
    }
}
