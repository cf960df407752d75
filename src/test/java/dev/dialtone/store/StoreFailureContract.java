package dev.dialtone.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/**
 * The store's behaviour when things go wrong: a crash mid-call, a database that goes away and
 * comes back, a record the database refuses, a close while the database is away, a database
 * that is not there at all; and that no password is ever shown. Run against each database.
 */
abstract class StoreFailureContract extends StoreTestBase {

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
        try (var proxy = new CuttableProxy(database().serverPort())) {
            var registry = new SimpleMeterRegistry();
            var store = open(settings(database().newDatabaseUrlVia(proxy.port())).withQueue(5, 200), registry);
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
        try (var proxy = new CuttableProxy(database().serverPort())) {
            var registry = new SimpleMeterRegistry();
            var settings = settings(database().newDatabaseUrlVia(proxy.port()));
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
    void anUnreachableDatabaseFailsToOpenWithoutShowingThePassword() {
        var url = database().newUnreachableUrl();
        assertThatThrownBy(() -> CallStore.open(settings(url).withCredentials("dialtone", "s3cret-pw"),
                new SimpleMeterRegistry()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot open the database")
                .hasMessageNotContaining("s3cret-pw");
    }

    @Test
    void aStoreOpenedInTheBackgroundThatCannotOpenSaysWhyAndIsNeverOpen() {
        var url = database().newUnreachableUrl();
        var store = CallStore.openInBackground(settings(url).withCredentials("dialtone", "s3cret-pw"),
                new SimpleMeterRegistry(), Clock.systemUTC());
        try {
            assertThatThrownBy(() -> store.opened().join()).cause()
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot open the database")
                    .hasMessageNotContaining("s3cret-pw");
            assertThat(store.isOpen()).isFalse();
            assertThatThrownBy(() -> store.findCall("CA-ANY")).isInstanceOf(StoreException.class);
        } finally {
            store.close();
        }
    }

    @Test
    void recordsHandedOverWhileTheStoreOpensInTheBackgroundArrive() throws Exception {
        var store = CallStore.openInBackground(settings(newDatabaseUrl()), new SimpleMeterRegistry(),
                Clock.systemUTC());
        try {
            writeFullCall(store, "CA-EARLY", T0); // most likely before the schema exists
            store.opened().get(30, TimeUnit.SECONDS);
            assertThat(store.isOpen()).isTrue();
            await(() -> store.findCall("CA-EARLY").map(call -> call.turns().size() == 1).orElse(false));
        } finally {
            store.close();
        }
    }

    @Test
    void aPasswordInTheUrlNeverReachesTheLog() throws Exception {
        var password = "pw-" + System.nanoTime();
        var logged = new StringBuilder();
        var handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (logged) {
                    logged.append(new SimpleFormatter().format(record));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        var root = Logger.getLogger("");
        root.addHandler(handler);
        try {
            var store = open(database().withPasswordInUrl(newDatabaseUrl(), password));
            store.recorder().callStarted(call("CA-PW", "luigis", "+1555", T0));
            await(() -> store.findCall("CA-PW").isPresent());
            store.close();
        } finally {
            root.removeHandler(handler);
        }
        synchronized (logged) {
            assertThat(logged.toString()).contains("Store on").doesNotContain(password);
        }
    }
}
