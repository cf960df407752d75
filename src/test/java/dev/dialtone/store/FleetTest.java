package dev.dialtone.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one real PostgreSQL, each a {@link CallStore} with its {@link Fleet}, on a clock
 * the test moves: the registry, the heartbeat's sweep of a silent instance, flow versions, and
 * messages over LISTEN/NOTIFY. The heartbeat threads run once at start (an hour's interval); the
 * test calls {@link Fleet#beat()} itself.
 */
class FleetTest {
    private static final Duration HEARTBEAT = Duration.ofHours(1);
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private final List<CallStore> stores = new ArrayList<>();
    private final MovingClock clock = new MovingClock(T0);

    @AfterEach
    void close() {
        stores.forEach(CallStore::close);
    }

    private CallStore store(String url) {
        var settings = StoreSettings.defaults().withUrl(url).withRetention(Duration.ZERO)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(10));
        var store = CallStore.open(settings, new SimpleMeterRegistry(), clock);
        stores.add(store);
        return store;
    }

    private static Fleet.FleetCall call(String sid, String instance) {
        return new Fleet.FleetCall(sid, instance, "luigis", "+15551230000", "+15550001111", T0);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        var deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void eachInstanceSeesTheCallsOfTheOthersAndASilentOnesCallsAreFailedNotLeftActive() throws Exception {
        var url = PostgresTestDatabase.shared().newDatabaseUrl();
        var a = store(url);
        var b = store(url);
        var flowsA = new AtomicReference<Map<String, String>>(Map.of("luigis", "aaa111"));
        var fleetA = a.joinFleet("a", HEARTBEAT, 3, flowsA::get);
        var fleetB = b.joinFleet("b", HEARTBEAT, 3, () -> Map.of("luigis", "bbb222"));
        a.recorder().callStarted(new CallStart("CA1", "luigis", "aaa111", "+15551230000", "+15550001111", Direction.INBOUND, T0));
        fleetA.callStarted(call("CA1", "a"));
        fleetB.callStarted(call("CB1", "b"));
        await(() -> fleetB.liveCalls().size() == 2 && a.findCall("CA1").isPresent());

        assertThat(fleetB.liveCalls()).extracting(Fleet.FleetCall::callSid, Fleet.FleetCall::instanceId)
                                       .containsExactly(org.assertj.core.groups.Tuple.tuple("CA1", "a"),
                                                        org.assertj.core.groups.Tuple.tuple("CB1", "b"));
        assertThat(fleetB.members()).extracting(Fleet.Member::id).containsExactly("a", "b");
        assertThat(fleetB.members().getFirst().flows()).containsExactly(Map.entry("luigis", "aaa111"));

        // a flow reload on a: the next heartbeat reports it
        flowsA.set(Map.of("luigis", "ccc333", "pizza", "ddd444"));
        fleetA.beat();
        assertThat(fleetB.members().getFirst().flows()).containsOnly(Map.entry("luigis", "ccc333"), Map.entry("pizza", "ddd444"));

        // a goes silent (killed): two heartbeats later it still counts; past three it is gone
        clock.advance(HEARTBEAT.multipliedBy(2));
        fleetB.beat();
        assertThat(fleetB.liveCalls()).extracting(Fleet.FleetCall::callSid).containsExactly("CA1", "CB1");
        clock.advance(HEARTBEAT.multipliedBy(1).plusSeconds(1));
        fleetB.beat();

        assertThat(fleetB.liveCalls()).extracting(Fleet.FleetCall::callSid).containsExactly("CB1");
        assertThat(fleetB.members()).extracting(Fleet.Member::id).containsExactly("b");
        var record = b.findCall("CA1").orElseThrow().summary();
        assertThat(record.status()).isEqualTo(CallStatus.FAILED);
        assertThat(record.endReason()).isEqualTo(Fleet.LOST_REASON);
        // b's own call is left alone
        assertThat(b.findCalls(CallQuery.all().withStatus(CallStatus.FAILED)).total()).isEqualTo(1);
    }

    @Test
    void anInstanceThatWasTakenForGoneWritesItsCallsAgainAtItsNextHeartbeat() throws Exception {
        var url = PostgresTestDatabase.shared().newDatabaseUrl();
        var fleetA = store(url).joinFleet("a", HEARTBEAT, 2, Map::of);
        var fleetB = store(url).joinFleet("b", HEARTBEAT, 2, Map::of);
        fleetA.callStarted(call("CA1", "a"));
        await(() -> fleetB.liveCalls().size() == 1);
        clock.advance(HEARTBEAT.multipliedBy(3));
        fleetB.beat(); // a stalled (a long pause, a partition): b removes its rows
        assertThat(fleetB.liveCalls()).isEmpty();

        fleetA.beat(); // a is back

        assertThat(fleetB.liveCalls()).extracting(Fleet.FleetCall::callSid).containsExactly("CA1");
        assertThat(fleetB.members()).extracting(Fleet.Member::id).containsExactly("a", "b");
        fleetA.callEnded("CA1");
        await(() -> fleetB.liveCalls().isEmpty());
    }

    @Test
    void messagesReachTheOtherInstancesOverListenNotifyAndNeverTheSender() throws Exception {
        var url = PostgresTestDatabase.shared().newDatabaseUrl();
        var fleetA = store(url).joinFleet("a", HEARTBEAT, 3, Map::of);
        var fleetB = store(url).joinFleet("b", HEARTBEAT, 3, Map::of);
        var heardByA = new LinkedBlockingQueue<String>();
        var heardByB = new LinkedBlockingQueue<String>();
        fleetA.listen(heardByA::add);
        fleetB.listen(heardByB::add);
        assertThat(fleetA.shared()).isTrue();

        // the listener connects in the background: repeat until one arrives, then order holds
        String first = null;
        for (int i = 0; i < 100 && first == null; i++) {
            fleetA.publish("{\"hello\":" + i + "}");
            first = heardByB.poll(100, TimeUnit.MILLISECONDS);
        }
        assertThat(first).startsWith("{\"hello\":");
        heardByB.clear();
        fleetA.publish("{\"n\":1}");
        fleetA.publish("{\"n\":2}");
        assertThat(heardByB.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"n\":1}");
        assertThat(heardByB.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"n\":2}");
        assertThat(heardByA).isEmpty();

        // PostgreSQL refuses payloads of 8000 bytes: refused here and counted, never sent
        assertThat(fleetA.publish("x".repeat(Fleet.MAX_MESSAGE_BYTES))).isFalse();
        fleetB.publish("{\"back\":true}");
        assertThat(heardByA.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"back\":true}");
    }

    @Test
    void onH2TheRegistryWorksAndNothingIsSentToOtherInstances() throws Exception {
        var h2 = H2TestDatabase.start();
        var store = store(h2.newDatabaseUrl());
        var fleet = store.joinFleet("solo", HEARTBEAT, 3, () -> Map.of("luigis", "abc"));
        fleet.callStarted(call("CA1", "solo"));
        await(() -> fleet.liveCalls().size() == 1);

        assertThat(fleet.shared()).isFalse();
        assertThat(fleet.publish("{}")).isFalse();
        assertThat(fleet.members()).extracting(Fleet.Member::id).containsExactly("solo");
        assertThatThrownBy(() -> store.joinFleet("again", HEARTBEAT, 3, Map::of)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store(h2.newDatabaseUrl()).joinFleet("no spaces", HEARTBEAT, 3, Map::of))
                .hasMessageContaining("instance id");
        h2.close();
    }

    /** A clock the test moves; read by the fleets' threads. */
    static final class MovingClock extends Clock {
        private volatile Instant now;

        MovingClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
