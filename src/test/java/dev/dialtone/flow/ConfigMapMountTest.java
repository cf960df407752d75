package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The flow folder as a Kubernetes ConfigMap volume: kubelet writes every version of the map into a
 * hidden timestamped folder, points the {@code ..data} link at it, and shows each key as a link
 * through {@code ..data}; an update writes a new timestamped folder, makes {@code ..data_tmp} point
 * at it, renames that over {@code ..data} (the one atomic step), then adds and removes the keys'
 * links and deletes the old folder (kubelet's AtomicWriter). This test makes that exact layout and
 * performs those steps: every edit goes live, and a reader never sees a flow missing.
 */
class ConfigMapMountTest extends FlowSetTestBase {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.");
    private static final AtomicLong VERSIONS = new AtomicLong(100_000_000);
    static final String A = "+15550001111";
    static final String B = "+15550002222";

    private FlowRegistry registry;
    private final LinkedBlockingQueue<ReloadOutcome> outcomes = new LinkedBlockingQueue<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private Thread reader;

    @AfterEach
    void tearDown() throws InterruptedException {
        reading.set(false);
        if (reader != null) {
            reader.join();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void everyConfigMapUpdateGoesLiveAndNoFlowIsEverMissing() throws Exception {
        var mount = files.flows;
        project(mount, Map.of("a.yaml", flow("a", A, "first")));
        registry = new FlowRegistry(mount, files.plugins, runtime, ALL_KEYS, new SimpleMeterRegistry(),
                                    Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)); // before any model retirement
        registry.onReload(outcomes::add);
        var start = registry.start();
        assertThat(start.applied()).isTrue();
        assertThat(start.problems()).as("the hidden ..data and timestamped folders are not flows").isEmpty();
        assertThat(prompt(registry, A)).isEqualTo("first");
        reader = Thread.ofPlatform().daemon().start(() -> {
            while (reading.get()) {
                seen.add(prompt(registry, A));
                LockSupport.parkNanos(50_000);
            }
        });

        // a key's content changes: only ..data moves, the key's own link stays as it was
        project(mount, Map.of("a.yaml", flow("a", A, "second")));
        awaitLive(r -> prompt(r, A).equals("second"));

        // a key is added
        project(mount, Map.of("a.yaml", flow("a", A, "second"), "b.yaml", flow("b", B, "bee")));
        awaitLive(r -> prompt(r, B).equals("bee"));

        // a key is removed, another changes in the same update
        project(mount, Map.of("a.yaml", flow("a", A, "third")));
        awaitLive(r -> prompt(r, A).equals("third") && r.forNumber(B).isEmpty());

        assertThat(seen).as("what a caller of A could have reached during the updates")
                        .isSubsetOf(Set.of("first", "second", "third"));
        try (var entries = Files.list(mount)) {
            assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("..2")).count())
                    .as("one timestamped folder left, as kubelet leaves it").isEqualTo(1);
        }
    }

    /**
     * Writes {@code keys} into {@code mount} as kubelet's AtomicWriter does, first time or update.
     */
    static void project(Path mount, Map<String, String> keys) throws IOException {
        var data = mount.resolve("..data");
        var old = Files.isSymbolicLink(data) ? mount.resolve(Files.readSymbolicLink(data)) : null;
        var version = mount.resolve(".." + LocalDateTime.now().format(STAMP) + VERSIONS.incrementAndGet());
        Files.createDirectories(version);
        for (var key : keys.entrySet()) {
            Files.writeString(version.resolve(key.getKey()), key.getValue());
        }
        var tmp = mount.resolve("..data_tmp");
        Files.createSymbolicLink(tmp, version.getFileName());
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (var key : keys.keySet()) {
            var link = mount.resolve(key);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of("..data", key));
            }
        }
        try (var entries = Files.list(mount)) {
            for (var entry : entries.toList()) {
                var name = entry.getFileName().toString();
                if (!name.startsWith("..") && !keys.containsKey(name)) {
                    Files.delete(entry);
                }
            }
        }
        if (old != null) {
            try (var walk = Files.walk(old)) {
                for (var path : walk.sorted((x, y) -> y.compareTo(x)).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private static String flow(String name, String number, String prompt) {
        return "name: " + name + "\nnumbers: [\"" + number + "\"]\nprompt: \"" + prompt + "\"\n";
    }

    private static String prompt(FlowRegistry r, String number) {
        return r.forNumber(number).map(v -> v.flow().prompt().text()).orElse("<no flow>");
    }

    private void awaitLive(Predicate<FlowRegistry> live) throws InterruptedException {
        List<ReloadOutcome> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!live.test(registry)) {
            var outcome = outcomes.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(outcome).as("no reload made the update live; outcomes so far: " + got).isNotNull();
            assertThat(outcome.problems()).as("problems of a reload").isEmpty();
            got.add(outcome);
        }
    }
}
