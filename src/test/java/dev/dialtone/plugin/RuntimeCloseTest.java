package dev.dialtone.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.graalvm.polyglot.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing the runtime (server shutdown, the end of a validate or chat run) while a plugin context
 * is being warmed in the background finishes: the close waits for the start instead of deadlocking
 * with it inside GraalJS, and a start after the close is refused.
 */
class RuntimeCloseTest {
    private static final Source MODULE = Source.newBuilder("js", """
            const menu = Array.from({ length: 200 }, (_, i) => ({ name: "pizza " + i, price: i * 1.5 }));
            export default {
              description: "d",
              parameters: { type: "object", properties: {} },
              async run(args, call) { return menu.length; }
            };
            """, "menu.js").mimeType("application/javascript+module").buildLiteral();

    @Test
    @Timeout(120)
    void closingWhileAContextIsStartingFinishes() throws Exception {
        for (int round = 0; round < 20; round++) {
            var runtime = new PluginRuntime(new PluginSettings(List.of(), Map.of(), PluginLimits.defaults()));
            var starting = new CountDownLatch(1);
            var warm = Thread.ofVirtual().start(() -> {
                starting.countDown();
                try {
                    runtime.startGuest("menu", MODULE, false).close();
                } catch (RuntimeException e) {
                    // refused or cancelled by the close: either is fine
                }
            });
            starting.await();
            Thread.sleep(round); // lands the close at different points of the start
            runtime.close();
            assertThat(warm.join(java.time.Duration.ofSeconds(30))).as("the start ended, round " + round).isTrue();
        }
    }

    @Test
    void aStartAfterTheCloseIsRefused() {
        var runtime = new PluginRuntime(new PluginSettings(List.of(), Map.of(), PluginLimits.defaults()));
        runtime.close();
        assertThatThrownBy(() -> runtime.startGuest("menu", MODULE, false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("the plugin runtime is closed");
    }
}
