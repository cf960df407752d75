package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.dialtone.Main;
import dev.dialtone.Parts;
import dev.dialtone.TestSettings;

/**
 * The console's audio code on its own, in headless Chromium, loaded from the server as the
 * console loads it (under its Content-Security-Policy): the mu-law codec against G.711, the
 * microphone's downsampler, and the playback worklet that stands in for Twilio's buffer.
 */
class BrowserAudioTest {
    static final String TOKEN = "browser-audio-token-2c4d";

    static Parts parts;
    static WebServer server;
    static ChromeDriver driver;

    @BeforeAll
    static void start() throws IOException {
        Chromium.ensureInstalled();
        var empty = Files.createTempDirectory("dialtone-no-flows"); // no flows or plugins to load: only the pages are used
        parts = Parts.create(TestSettings.with(Map.of("DIALTONE_ADMIN_TOKEN", TOKEN, "DIALTONE_FLOWS", empty.toString(),
                                                           "DIALTONE_PLUGINS", empty.toString())), Clock.systemUTC());
        var builder = WebServer.builder().port(0).host("127.0.0.1");
        Main.setUp(builder, parts);
        server = builder.build().start();
        var profile = Files.createTempDirectory("dialtone-chromium");
        var wav = ConsoleBrowserTest.MICROPHONE.write(profile.resolveSibling(profile.getFileName() + "-microphone.wav"));
        driver = Chromium.start(wav, profile);
        // localhost: a secure context, which audio worklets need
        driver.get("http://localhost:" + server.port() + "/?token=" + TOKEN);
        new WebDriverWait(driver, Duration.ofSeconds(10), Duration.ofMillis(50))
                .until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.stop();
        }
        if (parts != null) {
            parts.close();
        }
    }

    /** No script error and nothing refused by the page's Content-Security-Policy. */
    @AfterEach
    void pageConsoleIsClean() {
        var problems = driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                             .filter(m -> m.contains("Uncaught") || m.contains("Error:")
                                          || m.contains("Content Security Policy") || m.contains("Refused to"))
                             .toList();
        assertThat(problems).as("page console").isEmpty();
    }

    @Test
    void theBrowsersMuLawCodecMatchesG711() {
        @SuppressWarnings("unchecked")
        var results = (List<Object>) driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/mulaw.js').then(m => done([0, 100, -100, 1000, -1000, 8000, -8000, 32767, -32768]
                    .map(s => [m.encodeSample(s), m.decodeSample(m.encodeSample(s))])));
                """);
        assertThat(results).extracting(Object::toString).containsExactly(
                "[255, 0]", "[242, 104]", "[114, -104]", "[206, 988]", "[78, -988]",
                "[160, 7932]", "[32, -7932]", "[128, 32124]", "[0, -32124]");
    }

    @Test
    void theMicrophoneDownsamplerKeepsSpeechAndRejectsWhatWouldAlias() {
        // gain in dB of a 1 s tone through the 48 kHz -> 8 kHz downsampler, in 128-sample blocks
        // as the capture worklet sees them; and how many samples came out
        @SuppressWarnings("unchecked")
        var results = (Map<String, Object>) driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/mulaw.js').then(m => {
                  const gain = (hz) => {
                    const ds = new m.Downsampler(48000, 8000);
                    const out = [];
                    for (let b = 0, n = 0; b < 375; b++) {
                      const block = new Float32Array(128);
                      for (let i = 0; i < 128; i++, n++) block[i] = 0.5 * Math.sin(2 * Math.PI * hz * n / 48000);
                      out.push(...ds.push(block));
                    }
                    const tail = out.slice(800);
                    const rms = Math.sqrt(tail.reduce((a, x) => a + x * x, 0) / tail.length);
                    return {db: 20 * Math.log10(rms / (0.5 / Math.SQRT2)), samples: out.length};
                  };
                  done({tone440: gain(440), tone3000: gain(3000), tone5000: gain(5000), tone9000: gain(9000)});
                });
                """);
        assertThat(db(results, "tone440")).isBetween(-0.5, 0.5);
        assertThat(db(results, "tone3000")).isBetween(-1.0, 0.5);
        assertThat(db(results, "tone5000")).as("5 kHz would fold back to 3 kHz").isLessThan(-40);
        assertThat(db(results, "tone9000")).as("9 kHz would fold back to 1 kHz").isLessThan(-40);
        assertThat(((Map<?, ?>) results.get("tone440")).get("samples")).as("8000 samples per second").isEqualTo(8000L);
    }

    @Test
    void agentPlaybackEchoesMarksWhenReachedAndAllPendingOnClear() {
        // the playback worklet as Twilio's buffer: 0.5 s of audio, a mark, 2 s more, a mark; clear at 1 s
        @SuppressWarnings("unchecked")
        var events = (List<List<Object>>) driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                (async () => {
                  const context = new AudioContext();
                  await context.audioWorklet.addModule('/playback-worklet.js');
                  await context.resume();
                  const node = new AudioWorkletNode(context, 'dialtone-playback', {outputChannelCount: [1]});
                  node.connect(context.destination);
                  const events = [];
                  const t0 = performance.now();
                  node.port.onmessage = (e) => {
                    const at = Math.round(performance.now() - t0);
                    if (e.data.type === 'mark') events.push([e.data.name, at]);
                    if (e.data.type === 'cleared') events.push(['cleared ' + e.data.marks.join(','), at]);
                  };
                  node.port.postMessage({type: 'mark', name: 'nothing-queued'});
                  node.port.postMessage({type: 'audio', samples: new Float32Array(4000).fill(0.1)});
                  node.port.postMessage({type: 'mark', name: 'after-half-a-second'});
                  node.port.postMessage({type: 'audio', samples: new Float32Array(16000).fill(0.1)});
                  node.port.postMessage({type: 'mark', name: 'never-played'});
                  setTimeout(() => node.port.postMessage({type: 'clear'}), 1000);
                  setTimeout(() => context.close().then(() => done(events)), 1400);
                })().catch((e) => done([[String(e), -1]]));
                """);
        assertThat(events).extracting(e -> e.get(0)).containsExactly("nothing-queued", "after-half-a-second", "cleared never-played");
        assertThat(((Number) events.get(0).get(1)).longValue()).as("echoed at once").isLessThan(150);
        assertThat(((Number) events.get(1).get(1)).longValue()).as("echoed when played").isBetween(450L, 850L);
        assertThat(((Number) events.get(2).get(1)).longValue()).as("echoed on clear").isBetween(950L, 1250L);
    }

    private static double db(Map<String, Object> results, String name) {
        return ((Number) ((Map<?, ?>) results.get(name)).get("db")).doubleValue();
    }
}
