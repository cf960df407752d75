package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The folder watch picks up each way editors save a file, and a reader looking up the number the
 * whole time sees only the old or the new flow: never a missing, empty or half-written one.
 */
class HotReloadTest extends FlowSetTestBase {
    static final String NUMBER = "+15550001111";
    static final String OLD = "name: a\nnumbers: [\"" + NUMBER + "\"]\nprompt: \"Old prompt, the one before the edit\"\n";
    static final String NEW = "name: a\nnumbers: [\"" + NUMBER + "\"]\nprompt: \"New prompt, the one after the edit\"\n";
    FlowRegistry registry;
    final LinkedBlockingQueue<ReloadOutcome> outcomes = new LinkedBlockingQueue<>();
    final Set<String> seen = ConcurrentHashMap.newKeySet();
    final AtomicBoolean reading = new AtomicBoolean(true);
    Thread reader;

    @BeforeEach
    void setUp() {
        files.flow("a.yaml", OLD);
        registry = new FlowRegistry(files.flows, files.plugins, runtime, FlowSetTestBase.ALL_KEYS, new SimpleMeterRegistry(), Clock.systemUTC());
        registry.onReload(outcomes::add);
        assertThat(registry.start().applied()).isTrue();
        outcomes.clear();
        reader = Thread.ofPlatform().daemon().start(() -> {
            while (reading.get()) {
                seen.add(registry.forNumber(NUMBER).map(v -> v.flow().prompt().text()).orElse("<no flow>"));
                LockSupport.parkNanos(50_000);
            }
        });
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        reading.set(false);
        reader.join();
        registry.close();
    }

    /** Waits for reloads until {@code live} holds; returns the outcomes seen on the way. */
    List<ReloadOutcome> awaitLive(Predicate<FlowRegistry> live) throws InterruptedException {
        var got = new java.util.ArrayList<ReloadOutcome>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!live.test(registry)) {
            var outcome = outcomes.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(outcome).as("no reload made the change live; outcomes so far: " + got).isNotNull();
            got.add(outcome);
        }
        return got;
    }

    static boolean promptIs(FlowRegistry r, String text) {
        return r.forNumber(NUMBER).map(v -> v.flow().prompt().text().equals(text)).orElse(false);
    }

    void assertReaderSawOnlyOldAndNew() {
        assertThat(seen).isSubsetOf(Set.of("Old prompt, the one before the edit", "New prompt, the one after the edit"));
    }

    @Test
    void tempFileThenRename() throws Exception {
        files.flowByRename("a.yaml", NEW);
        awaitLive(r -> promptIs(r, "New prompt, the one after the edit"));
        assertReaderSawOnlyOldAndNew();
    }

    @Test
    void truncateThenWriteInQuickSteps() throws Exception {
        writeInTwoSteps(files.flows.resolve("a.yaml"), NEW, 20);
        awaitLive(r -> promptIs(r, "New prompt, the one after the edit"));
        assertReaderSawOnlyOldAndNew();
    }

    @Test
    void truncateThenSlowWriteNeverPublishesTheHalfFile() throws Exception {
        // The pauses outlast the quiet period, so the empty and the half-written file are both loaded and refused.
        writeInTwoSteps(files.flows.resolve("a.yaml"), NEW, 1000);
        var seenOutcomes = awaitLive(r -> promptIs(r, "New prompt, the one after the edit"));
        assertThat(seenOutcomes).anyMatch(o -> !o.applied());
        assertReaderSawOnlyOldAndNew();
        assertThat(registry.status().getFirst().lastError()).isEmpty();
    }

    @Test
    void deleteThenCreate() throws Exception {
        var file = files.flows.resolve("a.yaml");
        Files.delete(file);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        Files.writeString(file, NEW);
        awaitLive(r -> promptIs(r, "New prompt, the one after the edit"));
        assertReaderSawOnlyOldAndNew();
    }

    @Test
    void brokenSaveKeepsTheOldVersionAndReportsTheLine() throws Exception {
        var file = files.flow("a.yaml", OLD.replace("prompt:", "promtp:"));
        var outcome = outcomes.poll(10, TimeUnit.SECONDS);
        assertThat(outcome).isNotNull();
        assertThat(outcome.applied()).isFalse();
        assertThat(registry.status().getFirst().lastError()).contains(file + ":3: unknown key 'promtp' in the flow (did you mean 'prompt'?)");
        assertThat(promptIs(registry, "Old prompt, the one before the edit")).isTrue();
        files.flowByRename("a.yaml", NEW);
        awaitLive(r -> promptIs(r, "New prompt, the one after the edit"));
        assertReaderSawOnlyOldAndNew();
    }

    @Test
    void pluginEditIsPickedUp() throws Exception {
        files.plugin("menu_price", FlowFiles.simplePlugin("{ price: 1 }"));
        files.flow("a.yaml", OLD + "tools: [menu_price]\n");
        awaitLive(r -> r.forNumber(NUMBER).map(v -> v.tools().containsKey("menu_price")).orElse(false));
        files.plugin("menu_price", FlowFiles.simplePlugin("{ price: 2 }"));
        awaitLive(r -> r.forNumber(NUMBER).flatMap(v -> v.tool("menu_price", Optional.empty()))
                .map(t -> t.invoke("{}", RegistryTest.call()).forModel().equals("{\"price\":2}")).orElse(false));
    }

    /** Truncates the file, writes the first half, pauses, writes the rest, as some editors and tools do. */
    static void writeInTwoSteps(Path file, String text, long pauseMs) throws IOException {
        var bytes = text.getBytes(StandardCharsets.UTF_8);
        int half = text.indexOf("New pr") + 6;
        try (var channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs));
            channel.write(ByteBuffer.wrap(bytes, 0, half));
            channel.force(false);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMs));
            channel.write(ByteBuffer.wrap(bytes, half, bytes.length - half));
        }
    }
}
