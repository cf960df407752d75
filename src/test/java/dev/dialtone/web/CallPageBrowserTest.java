package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeServer;
import dev.dialtone.fakes.FakeWorld;

/**
 * The call page of a call-center call in a real headless Chromium: a recorded call through the
 * fakes that the caller has transferred with a key, whose post-call analysis came back and whose
 * webhooks went to a receiver that takes some events, refuses call.ended (so it waits for its
 * retry) and to a loopback address that is not allow-listed (dead-lettered). The page shows the
 * recording (played through the server), the analysis, the transfer and each delivery with its
 * target's host only: never the URL's path or query, nor the signing secret.
 */
class CallPageBrowserTest {
    static final String TOKEN = "call-page-test-token-51c2";
    static final String SECRET = "whsec-call-page-9d1";
    static final String PATH_SECRET = "T0PATHSECRET";
    static final String QUERY_SECRET = "querysecret77";
    static final Duration WAIT = Duration.ofSeconds(30);

    static FakeServer receiver;
    static FakeWorld world;
    static ChromeDriver driver;
    static Path profile;

    @BeforeAll
    static void start() throws IOException {
        Chromium.ensureInstalled();
        receiver = new FakeServer(exchange -> {
            boolean refuse = exchange.bodyText().contains("\"call.ended\"");
            exchange.respond(refuse ? 503 : 200, "text/plain", refuse ? "busy" : "ok");
        });
        var flow = """
                name: clinic
                default: true
                greeting: "Clinic line."
                prompt: "You help patients."
                llm: { provider: openai, model: gpt-4o-mini }
                turn: { silence_reprompt_s: 60 }
                recording: { enabled: true, channels: dual, consent: "This call may be recorded." }
                dtmf: { "0": { transfer: "+15550002299" } }
                analysis:
                  prompt: "Why did they call?"
                  schema:
                    type: object
                    additionalProperties: false
                    required: [reason]
                    properties:
                      reason: { type: string }
                webhooks:
                  - url: "http://127.0.0.1:%d/hooks/%s?key=%s"
                    events: [call.started, call.ended, call.analyzed, call.transferred]
                    secret: "%s"
                  - url: "http://127.0.0.2:9/hook"
                    events: [call.ended]
                """.formatted(receiver.port(), PATH_SECRET, QUERY_SECRET, SECRET);
        var config = """
                webhooks:
                  allowed-hosts: ["127.0.0.1"]
                  first-retry-ms: 3600000
                  max-retry-ms: 3600000
                  poll-ms: 25
                """;
        world = FakeWorld.start(flow, Map.of(), Map.of("DIALTONE_ADMIN_TOKEN", TOKEN), config);
        world.llm.respondWith(request -> request.has("response_format")
                ? FakeLlmServer.Reply.structured("{\"reason\":\"repeat prescription\"}")
                : FakeLlmServer.Reply.text("Of course."));
        profile = Files.createTempDirectory("dialtone-chromium");
        var wav = ConsoleBrowserTest.MICROPHONE.write(profile.resolveSibling(profile.getFileName() + "-microphone.wav"));
        driver = Chromium.start(wav, profile);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (world != null) {
            world.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void aTransferredRecordedCallShowsItsRecordingAnalysisTransferAndWebhookDeliveries() throws Exception {
        String sid;
        try (var call = world.dial()) {
            sid = call.callSid();
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(10));
            call.dtmf("0");
            Await.until(() -> world.twilioApi.requests().stream().anyMatch(r -> r.path().endsWith("/Calls/" + sid + ".json")),
                        WAIT);
            call.stop();
        }
        var store = world.parts.store();
        Await.until(() -> store.findCall(sid).flatMap(d -> d.analysis()).isPresent() && !store.recordings(sid).isEmpty(), WAIT);
        Await.until(() -> statuses(sid).containsAll(List.of("call.started DELIVERED 1", "call.transferred DELIVERED 1",
                "call.analyzed DELIVERED 1", "call.ended PENDING 1", "call.ended DEAD 1")), WAIT);
        var recording = store.recordings(sid).getFirst().recordingSid();

        driver.get(world.url() + "/?token=" + TOKEN + "#/calls/" + sid);
        await(d -> text("#detail-sid").equals(sid));
        await(d -> !d.findElements(By.id("detail-webhooks")).isEmpty());

        assertThat(text("#analysis-title")).contains("done");
        assertThat(text("#analysis-fields")).contains("reason", "repeat prescription");
        assertThat(text("#detail-transfers")).contains("transferred to", "+15550002299");
        assertThat(text("#detail-recordings")).contains(recording);
        click("#detail-recordings button");
        String src = await(d -> d.findElement(By.cssSelector("#detail-recordings audio")).getDomAttribute("src"));
        assertThat(src).startsWith("blob:");

        var rows = driver.findElements(By.cssSelector("#detail-webhooks tbody tr"));
        assertThat(rows).hasSize(5);
        var host = "127.0.0.1:" + receiver.port();
        assertThat(row(rows, "call.started", host)).endsWith("delivered 1");
        assertThat(row(rows, "call.transferred", host)).contains("delivered");
        assertThat(row(rows, "call.analyzed", host)).contains("delivered");
        var retrying = rows.stream().filter(r -> r.getText().contains("call.ended") && r.getText().contains(host)).findFirst().orElseThrow();
        assertThat(retrying.getText()).contains("pending", "HTTP 503");
        assertThat(retrying.findElements(By.cssSelector("td time"))).as("its next try").hasSize(1);
        assertThat(row(rows, "call.ended", "127.0.0.2:9")).contains("dead-lettered", "refused");

        var page = driver.findElement(By.tagName("body")).getText() + driver.getPageSource();
        assertThat(page).doesNotContain(SECRET, PATH_SECRET, QUERY_SECRET, TOKEN, "api.twilio.com");
        var section = driver.findElement(By.id("detail-webhooks"));
        driver.executeScript("arguments[0].scrollIntoView();", section);
        new Screenshots(driver).element("call-page-webhooks", section);
        assertThat(driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                         .filter(m -> m.contains("Uncaught") || m.contains("Error:") || m.contains("Refused to")))
                .as("page console").isEmpty();
    }

    private static List<String> statuses(String sid) {
        return world.parts.store().webhooks().forCall(sid).stream().map(d -> d.event() + " " + d.status() + " " + d.attempts()).toList();
    }

    private static String row(List<WebElement> rows, String event, String host) {
        return rows.stream().map(WebElement::getText).filter(t -> t.contains(event) && t.contains(host)).findFirst()
                   .orElseThrow(() -> new AssertionError("no delivery of " + event + " to " + host));
    }

    private static String text(String css) {
        return driver.findElement(By.cssSelector(css)).getText();
    }

    private static void click(String css) {
        await(d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    private static <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(50))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }
}
