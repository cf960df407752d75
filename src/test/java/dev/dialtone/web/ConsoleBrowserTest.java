package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;
import dev.dialtone.store.AnalysisRecord;
import dev.dialtone.store.CallEnd;
import dev.dialtone.store.CallStart;
import dev.dialtone.store.CallStatus;
import dev.dialtone.store.Direction;
import dev.dialtone.store.TurnRecord;
import dev.dialtone.store.TurnTimings;

/**
 * The operator console in a real headless Chromium against a real Dialtone server and the fake
 * providers: the admin token, the flows list, a softphone call from Chromium's fake microphone
 * (a WAV of tones the fake Deepgram hears as speech) seen live on the softphone and the Live
 * calls page, hang-up, the call's detail page and its latency chart; typed turns and keypad
 * presses; the token from the address the server prints, and the Content-Security-Policy the page
 * runs under; a stored call's post-call analysis and its re-run; screenshots under target/screenshots. (BrowserAudioTest checks the audio code alone.)
 */
class ConsoleBrowserTest {
    static final String TOKEN = "console-test-token-7f3a";
    static final String FLOW = """
            name: pizza
            numbers: ["+15550001111"]
            greeting: "Hello, thanks for calling."
            prompt: "You take pizza orders."
            stt: { provider: deepgram, model: nova-3, endpointing: 300 }
            llm: { provider: openai, model: gpt-4o-mini }
            tts: { provider: deepgram, voice: aura-2-thalia-en }
            turn: { silence_reprompt_s: 60 }
            start: order
            nodes:
              order:
                prompt: "Take the order."
              billing:
                say: "You are through to billing."
            dtmf: { "2": { node: billing }, "9": hangup }
            """;
    /** 1.5 s of silence (the greeting plays), then two 1 s "utterances", each followed by 1.5 s of silence. */
    static final MicrophoneWav MICROPHONE = new MicrophoneWav(48000, 1500, 1000, 1500, 2);
    /** Waits end as soon as their condition holds; this long only so a 2-core machine under load keeps up. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String LONG_REPLY = "We have small, medium, large and family sizes, and today every large pizza comes "
                                     + "with a free drink of your choice. We also bake garlic bread, a fresh green salad "
                                     + "and a chocolate cake, and delivery is free within three miles of the restaurant. "
                                     + "Would you like to hear about our specials as well?";

    static FakeWorld world;
    static ChromeDriver driver;
    static Screenshots screenshots;
    static Path profile;

    @BeforeAll
    static void start() throws IOException {
        Chromium.ensureInstalled();
        world = FakeWorld.start(FLOW, Map.of(), Map.of("DIALTONE_ADMIN_TOKEN", TOKEN));
        // each stage of a turn takes time, as with the real services: the chart draws a stage only if it
        // lasts a millisecond or more, and a warm JVM gets an instant fake's audio back within one
        world.llm.timeToFirstToken(Duration.ofMillis(40));
        world.tts.firstByteDelay(Duration.ofMillis(40));
        world.stt.script(u -> switch (u.index()) {
            case 0 -> "I'd like a pizza";
            case 1 -> "A large one";
            default -> "";
        });
        profile = Files.createTempDirectory("dialtone-chromium");
        var wav = MICROPHONE.write(profile.resolveSibling(profile.getFileName() + "-microphone.wav"));
        driver = Chromium.start(wav, profile);
        screenshots = new Screenshots(driver);
    }

    @AfterAll
    static void stop() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (world != null) {
            world.close();
        }
    }

    /** The console as the address the server prints at start opens it: /?token=... */
    @BeforeEach
    void openConsoleWithToken() {
        world.llm.clearReplies();
        driver.get("about:blank"); // the last test's page and its event stream are gone before the next opens
        driver.get(world.url() + "/?token=" + TOKEN);
        awaitSignedIn();
        assertThat(driver.getCurrentUrl()).as("the token leaves the address bar").doesNotContain(TOKEN);
    }

    private static void awaitSignedIn() {
        await(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        await(d -> text("#token-state").equals("token set"));
        await(d -> text("#stream-state").equals("live"));
    }

    /**
     * No script error on the page, nothing refused by the Content-Security-Policy, and nothing from
     * the server that the softphone did not understand.
     */
    @AfterEach
    void pageConsoleIsClean() {
        assertThat(pageProblems()).as("page console").isEmpty();
    }

    private static List<String> pageProblems() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                     .filter(m -> m.contains("Uncaught") || m.contains("Error:") || m.contains("ignored")
                                  || m.contains("Content Security Policy") || m.contains("Refused to"))
                     .toList();
    }

    @Test
    void theTokenFromTheAddressIsKeptForThisTabOnlyAndTheConsoleRunsUnderItsPolicy() {
        assertThat(driver.executeScript("return localStorage.getItem('dialtone.adminToken');")).isNull();
        driver.navigate().refresh(); // without ?token= now: the tab keeps it
        awaitSignedIn();

        // the policy is in force: an injected inline script does not run, and the refusal is reported
        assertThat(pageProblems()).as("nothing refused so far").isEmpty();
        driver.executeScript("const s = document.createElement('script'); s.textContent = 'window.injected = 1;';"
                             + " document.body.append(s);");
        assertThat(driver.executeScript("return window.injected === undefined;")).isEqualTo(true);
        var reported = new ArrayList<String>(); // reading the browser's log empties it: keep what was read
        await(d -> {
            reported.addAll(pageProblems());
            return reported.stream().anyMatch(m -> m.contains("Content Security Policy"));
        });
    }

    @Test
    void aSoftphoneCallFromTheMicrophoneIsSeenLiveThenInItsDetailWithALatencyChart() {
        // the first reply lasts ~3 s (10 ms of fake voice per character): the second utterance barges in
        world.llm.enqueue(Reply.text("Sure, what size? ", LONG_REPLY)).enqueue(Reply.text("One large pizza. ", "Anything else?"));

        show("flows");
        var row = await(d -> d.findElement(By.cssSelector("#flows-list tr[data-flow=pizza]")));
        assertThat(row.getText()).contains("pizza").contains("+15550001111").doesNotContain("Error");
        assertThat(row.findElement(By.tagName("code")).getText()).hasSize(12);
        screenshots.page("flows");

        show("phone");
        new Select(driver.findElement(By.id("sp-flow"))).selectByValue("pizza");
        driver.findElement(By.id("sp-call")).click();
        var greeting = turn("#sp-transcript", 0, "Hello");
        assertThat(greeting).contains("Hello, thanks for calling.");
        var callSid = (String) driver.executeScript("return document.getElementById('page-phone').phone.callSid;");
        assertThat(callSid).matches("SP[0-9a-f]{32}");

        // the Live calls page lists the call and shows its next turn as it happens
        show("live");
        click("#live-rows tr[data-sid='" + callSid + "']");
        await(d -> text("#live-rows tr[data-sid='" + callSid + "']").contains("pizza"));
        String liveRow = await(d -> text("#live-rows tr[data-sid='" + callSid + "']"));
        assertThat(liveRow).contains("softphone").contains("order");
        assertThat(turn("#live-transcript", 0, "Hello")).contains("Hello, thanks for calling.");
        assertThat(turn("#live-transcript", 1, "interrupted")).contains("I'd like a pizza").contains("Sure, what size?")
                                                .contains("interrupted").doesNotContain("specials");
        screenshots.page("live-calls");

        show("phone");
        assertThat(turn("#sp-transcript", 1, "interrupted")).contains("I'd like a pizza").contains("Sure, what size?").contains("interrupted");
        assertThat(turn("#sp-transcript", 2, "Anything else?")).contains("A large one").contains("One large pizza. Anything else?");
        var stats = stats();
        assertThat(stats.get("framesSent")).as("20 ms frames sent").isGreaterThan(150);
        assertThat(stats.get("mediaReceived")).as("agent audio received").isPositive();
        assertThat(stats.get("marksEchoed")).as("marks echoed after playback").isPositive();
        assertThat(stats.get("clears")).as("the barge-in cleared the playback queue").isPositive();
        screenshots.page("softphone");

        driver.findElement(By.id("sp-hangup")).click();
        await(d -> text("#sp-status").contains("Call ended"));
        awaitStored(callSid, 3);

        click("#sp-detail");
        await(d -> text("#detail-sid").equals(callSid));
        await(d -> text("#page-detail").contains("completed"));
        assertThat(text("#detail-transcript > li[data-index='1'] .badge-interrupted")).isEqualTo("interrupted");
        var transcript = text("#detail-transcript");
        assertThat(transcript).contains("Hello, thanks for calling.").contains("I'd like a pizza")
                              .contains("Sure, what size?").contains("A large one");
        var bars = driver.findElements(By.cssSelector("#latency-svg g.bar"));
        assertThat(bars).extracting(b -> b.getDomAttribute("data-turn")).contains("1", "2");
        for (var stage : List.of("stt", "llm", "tts")) {
            assertThat(driver.findElements(By.cssSelector("#latency-svg g.bar[data-turn='1'] rect[data-stage=" + stage + "]")))
                    .as("turn 1 has a %s segment; the chart's numbers: %s", stage, latencyNumbers()).hasSize(1);
        }
        // turn 1's barge-in is marked on its bar: the agent paused at the caller's first sound, then was cut off
        for (var mark : List.of("barge-in-paused", "barge-in-committed")) {
            assertThat(driver.findElements(By.cssSelector("#latency-svg g.bar[data-turn='1'] polygon[data-mark=" + mark + "]")))
                    .as("turn 1 is marked " + mark).isNotEmpty();
        }
        assertThat(driver.findElements(By.cssSelector("#latency-svg g.bar[data-turn='2'] polygon.mark")))
                .as("turn 2 was heard through, nothing to mark").isEmpty();
        assertThat(latencyNumbers()).contains("Agent cut off at");
        var chart = screenshots.element("latency-chart", driver.findElement(By.id("latency-svg")));
        assertThat(Screenshots.pixelsNear(chart, 0x4e79a7)).as("STT blue in the chart").isGreaterThan(20);
        assertThat(Screenshots.pixelsNear(chart, 0xf28e2b)).as("LLM orange in the chart").isGreaterThan(20);
        screenshots.page("call-detail");

        // the history lists it, and its filters narrow the list
        show("calls");
        await(d -> !d.findElements(By.cssSelector("#hs-rows tr[data-sid='" + callSid + "']")).isEmpty());
        assertThat(text("#hs-info")).matches("1–\\d+ of \\d+");
        assertThat(driver.findElement(By.id("hs-prev")).isEnabled()).isFalse();
        driver.findElement(By.id("hs-number")).sendKeys("+19999999999");
        driver.findElement(By.cssSelector("form[role=search] button[type=submit]")).click();
        await(d -> text("#hs-rows").contains("No calls match."));
        screenshots.page("history");

        assertThat(driver.findElement(By.tagName("body")).getText()).as("the token is never shown").doesNotContain(TOKEN);
    }

    /**
     * The chart as the call page draws it, on turns shaped as the API sends them (CallJson): a
     * speculative reply dropped because the caller went on, one used, and a pause that resumed.
     */
    @Test
    void theLatencyChartMarksSpeculativeRepliesAndBargeInSteps() {
        driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import("/chart.js").then(({latencyChart}) => {
                  const turns = [
                    {index: 1, timingsMs: {sttFinal: 300, llmFirstToken: 320, ttsFirstAudio: 500, firstAudioSent: 510},
                     speculations: [], bargeIns: []},
                    {index: 2, timingsMs: {sttFinal: 550, llmFirstToken: 450, ttsFirstAudio: 600, firstAudioSent: 650},
                     speculations: [{outcome: "resumed", startedMs: -900, settledMs: -700},
                                    {outcome: "used", startedMs: 150, settledMs: 550}],
                     bargeIns: [{step: "paused", msIntoReply: 300}, {step: "resumed", msIntoReply: 560}]}];
                  const figure = latencyChart(turns);
                  figure.id = "chart-under-test";
                  document.body.append(figure);
                  done();
                });
                """);
        var marks = driver.findElements(By.cssSelector("#chart-under-test g.bar[data-turn='2'] polygon.mark"));
        assertThat(marks).extracting(m -> m.getDomAttribute("data-mark"))
                         .containsExactly("speculation-started", "speculation-resumed", "speculation-started",
                                          "speculation-used", "barge-in-paused", "barge-in-resumed");
        assertThat(driver.findElements(By.cssSelector("#chart-under-test g.bar[data-turn='1'] polygon.mark"))).isEmpty();
        assertThat(text("#chart-under-test .legend")).contains("Speculative reply used", "Agent paused for caller speech")
                                                     .doesNotContain("Agent cut off");
        // a mark 300 ms into a reply that began 650 ms after the caller's speech sits at 950 ms
        var paused = marks.get(4).findElement(By.tagName("title")).getDomProperty("textContent");
        assertThat(paused).isEqualTo("Turn 2 — Agent paused for caller speech: 950 ms");
        driver.executeScript("document.getElementById('chart-under-test').remove();");
    }

    @Test
    void aTypedTurnAndKeypadPressesReachTheAgent() {
        world.llm.enqueue(Reply.text("Pepperoni it is."));
        show("phone");
        var mute = driver.findElement(By.id("sp-mute"));
        if (!mute.isSelected()) {
            mute.click(); // typed turns only: the microphone streams silence
        }
        new Select(driver.findElement(By.id("sp-flow"))).selectByValue("pizza");
        driver.findElement(By.id("sp-call")).click();
        assertThat(turn("#sp-transcript", 0, "Hello")).contains("Hello, thanks for calling.");
        var callSid = (String) driver.executeScript("return document.getElementById('page-phone').phone.callSid;");

        driver.findElement(By.id("sp-text")).sendKeys("A pepperoni please");
        driver.findElement(By.id("sp-say")).click();
        assertThat(turn("#sp-transcript", 1, "Pepperoni it is.")).contains("A pepperoni please").contains("Pepperoni it is.");
        assertThat(world.llm.requests().getLast().body().path("messages").toString()).contains("A pepperoni please");

        click("button.key[data-digit='2']");
        assertThat(turn("#sp-transcript", 2, "billing")).contains("You are through to billing.");
        var live = world.parts.switchboard().transcript(callSid).orElseThrow();
        assertThat(live.node()).isEqualTo("billing");
        assertThat(live.notes()).anySatisfy(n -> {
            assertThat(n.kind()).isEqualTo("dtmf");
            assertThat(n.detail()).isEqualTo("2");
        });

        // "9" is the flow's hang-up key: the server ends the call and closes the socket
        driver.findElement(By.tagName("body")).sendKeys("9"); // the keyboard works like the keypad
        await(d -> text("#sp-status").contains("Call ended"));
        assertThat(text("#sp-status")).doesNotContain("you hung up");
        assertThat(driver.findElement(By.id("sp-call")).isEnabled()).isTrue();
        // muted: the speech-to-text socket of this call heard only silence
        var heard = world.stt.connections().getLast().audio();
        assertThat(heard).isNotEmpty();
        for (byte b : heard) {
            assertThat(b == (byte) 0xFF || b == (byte) 0x7F).as("silence only").isTrue();
        }
        mute.click();
    }

    @Test
    void aCallPageShowsItsAnalysisAndRunsItAgain() {
        var sid = "CA" + "a".repeat(32);
        var t0 = Instant.parse("2026-12-01T10:00:00Z");
        var store = world.parts.store();
        store.recorder().callStarted(new CallStart(sid, "pizza", "v1", "+15551230000", "+15550001111", Direction.INBOUND, t0));
        store.recorder().turnCompleted(new TurnRecord(sid, 0, "Two margheritas", "Anything else?", false, TurnTimings.NONE, List.of()));
        store.recorder().callEnded(new CallEnd(sid, t0.plusSeconds(30), "caller hung up", CallStatus.COMPLETED));
        var spec = "{\"schema\":{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"ordered\",\"items\"],"
                   + "\"properties\":{\"ordered\":{\"type\":\"boolean\"},\"items\":{\"type\":\"integer\"}}},"
                   + "\"prompt\":\"What was ordered?\",\"provider\":\"openai\",\"model\":\"gpt-4o-mini\"}";
        await(d -> store.saveAnalysis(new AnalysisRecord(sid, AnalysisRecord.Status.INVALID, Optional.of("{\"ordered\":\"yes\"}"),
                Optional.of("$.ordered: string found, boolean expected"), "v1", spec, t0.plusSeconds(40), Map.of())));
        world.llm.enqueue(Reply.structured("{\"ordered\":true,\"items\":2}"));

        driver.executeScript("location.hash = '#/calls/" + sid + "'");
        await(d -> text("#analysis-title").contains("invalid"));
        assertThat(text("#analysis-problem")).contains("boolean expected");
        assertThat(text("#analysis-fields")).contains("ordered", "yes");
        screenshots.page("call-analysis-invalid");

        click("#analysis-rerun");
        await(d -> text("#analysis-title").contains("done"));
        assertThat(text("#analysis-fields")).contains("items", "2");
        assertThat(driver.findElements(By.id("analysis-problem"))).isEmpty();
        assertThat(world.llm.requests().getLast().body().path("messages").toString()).contains("Caller: Two margheritas");
        screenshots.page("call-analysis-done");
    }

    @Test
    void aBrokenFlowFileShowsItsErrorWithFileAndLineUntilFixed() throws IOException {
        var broken = world.dir.resolve("flows/broken.yaml");
        Files.writeString(broken, "name: broken\ngreeting: \"Hi\"\nllm: { provider: nosuch-provider }\n");
        try {
            show("flows");
            click("#flows-reload");
            await(d -> text("#reload-outcome").contains("Not applied"));
            assertThat(text("#reload-outcome")).containsPattern("broken\\.yaml:\\d+");
            var row = await(d -> d.findElement(By.cssSelector("#flows-list tr[data-flow=broken]")));
            assertThat(row.findElement(By.cssSelector(".flow-error")).getText()).containsPattern("broken\\.yaml:\\d+");
            assertThat(row.getText()).contains("not loaded");
            // the live flow still answers
            assertThat(text("#flows-list tr[data-flow=pizza]")).doesNotContain("Error");
            screenshots.page("flows-error");
        } finally {
            Files.delete(broken);
        }
        click("#flows-reload");
        await(d -> text("#reload-outcome").startsWith("Reloaded"));
        await(d -> d.findElements(By.cssSelector("#flows-list tr[data-flow=broken]")).isEmpty());
    }

    @Test
    void aFlowsVersionsShowTheirDiffAndAStoredCallReplaysOnTheChangedPrompt() throws IOException {
        var sid = "CA" + "7".repeat(32);
        var recorder = world.parts.store().recorder();
        var version = world.parts.flows().byName("pizza").orElseThrow().hash();
        recorder.callStarted(new CallStart(sid, "pizza", version, FakeWorld.CALLER, FakeWorld.NUMBER, Direction.INBOUND, Instant.now()));
        recorder.turnCompleted(new TurnRecord(sid, 0, "", "Hello, thanks for calling.", false, TurnTimings.NONE, List.of()));
        recorder.turnCompleted(new TurnRecord(sid, 1, "I'd like a pizza", "Sure, what size?", false, TurnTimings.NONE, List.of()));
        recorder.callEnded(new CallEnd(sid, Instant.now(), "caller hung up", CallStatus.COMPLETED));
        awaitStored(sid, 2);
        var file = world.dir.resolve("flows/test.yaml");
        var original = Files.readString(file);
        Files.writeString(file, original.replace("You take pizza orders.", "You take pizza orders. Ask for the ZIP code first."));
        try {
            // the folder watcher puts the edit live (the reload button has a test of its own)
            await(d -> !world.parts.flows().byName("pizza").orElseThrow().hash().equals(version));
            driver.executeScript("location.hash = arguments[0];", "#/calls");
            show("flows");
            click("#flows-list tr[data-flow=pizza] a.versions-link");
            await(d -> d.findElements(By.cssSelector("#versions-list tbody tr")).size() >= 2);
            assertThat(text("#versions-list tr[data-version='" + version + "']")).doesNotContain("live");
            await(d -> text("#version-diff").contains("ZIP"));
            // other tests may have put versions live before: the diff holds at least this edit
            assertThat(driver.findElements(By.cssSelector("#version-diff tr.diff-removed"))).extracting(WebElement::getText)
                    .anyMatch(line -> line.contains("prompt: \"You take pizza orders.\""));
            assertThat(driver.findElements(By.cssSelector("#version-diff tr.diff-added"))).extracting(WebElement::getText)
                    .anyMatch(line -> line.contains("prompt: \"You take pizza orders. Ask for the ZIP code first.\""));
            screenshots.page("flow-versions");

            world.llm.enqueue(Reply.text("What is your ZIP code?"));
            driver.executeScript("location.hash = arguments[0];", "#/calls/" + sid);
            await(d -> text("#detail-sid").equals(sid));
            new Select(await(d -> d.findElement(By.id("replay-target")))).selectByValue("live");
            click("#replay-run");
            await(d -> text("#replay-summary").contains("differs"));
            var changed = driver.findElement(By.cssSelector("#replay-rows tr[data-index='1']"));
            assertThat(changed.getDomAttribute("class")).contains("differs");
            assertThat(changed.getText()).contains("I'd like a pizza").contains("agent").contains("Sure, what size?")
                                         .contains("What is your ZIP code?");
            assertThat(driver.findElement(By.cssSelector("#replay-rows tr[data-index='0']")).getDomAttribute("class")).doesNotContain("differs");
            var panel = driver.findElement(By.cssSelector("section.replay"));
            driver.executeScript("arguments[0].scrollIntoView();", panel);
            screenshots.element("replay", panel);

            // the call's flow links to its version beside the live one
            click("#detail-flow");
            await(d -> text("#version-diff").contains("ZIP"));
            assertThat(new Select(driver.findElement(By.id("diff-from"))).getFirstSelectedOption().getDomAttribute("value"))
                    .isEqualTo(version);
            assertThat(driver.findElement(By.cssSelector("#versions-list tr[data-version='" + version + "']")).getDomAttribute("class"))
                    .contains("selected");
        } finally {
            Files.writeString(file, original);
            world.parts.flows().reload();
        }
    }

    @Test
    void aDraftIsShownBesideItsFlowAndTheSoftphoneCallsIt() throws IOException {
        var draft = world.dir.resolve("flows/test.draft.yaml");
        Files.writeString(draft, FLOW.replace("Hello, thanks for calling.", "Hello from the draft.")
                .replace("start: order", "staging_callers: [\"+15557770000\"]\nstart: order"));
        try {
            show("flows");
            click("#flows-reload");
            await(d -> text("#reload-outcome").startsWith("Reloaded"));
            var row = await(d -> d.findElement(By.cssSelector("#flows-list tr[data-flow='pizza.draft']")));
            assertThat(row.getText()).contains("draft").contains("answers +15557770000 and the softphone").doesNotContain("Error");
            assertThat(driver.findElements(By.cssSelector("#flows-list tbody tr"))).extracting(r -> r.getDomAttribute("data-flow"))
                    .containsExactly("pizza", "pizza.draft");
            screenshots.page("flows-draft");

            show("phone");
            var mute = driver.findElement(By.id("sp-mute"));
            if (!mute.isSelected()) {
                mute.click();
            }
            new Select(driver.findElement(By.id("sp-flow"))).selectByVisibleText("pizza.draft (draft)");
            driver.findElement(By.id("sp-call")).click();
            assertThat(turn("#sp-transcript", 0, "Hello")).contains("Hello from the draft.");
            driver.findElement(By.id("sp-hangup")).click();
            await(d -> text("#sp-status").contains("Call ended"));
        } finally {
            Files.delete(draft);
        }
        show("flows");
        click("#flows-reload");
        await(d -> text("#reload-outcome").startsWith("Reloaded"));
        await(d -> d.findElements(By.cssSelector("#flows-list tr[data-flow='pizza.draft']")).isEmpty());
    }

    @Test
    void aWrongTokenSaysWhyNothingLoadsAndIsNeverShown() {
        driver.findElement(By.id("token")).sendKeys("wrong-token-x1");
        driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
        show("flows");
        await(d -> text("#flows-list").contains("enter the admin token"));
        await(d -> text("#stream-state").equals("offline"));
        show("live");
        await(d -> text("#live-info").contains("enter the admin token"));
        assertThat(driver.findElement(By.tagName("body")).getText()).doesNotContain("wrong-token-x1");
        assertThat(driver.findElement(By.id("token")).getDomProperty("value")).isEmpty();
        screenshots.page("wrong-token");
    }

    @Test
    void aCallsRecordingPlaysThroughTheServerWithTheBearerToken() throws IOException {
        var sid = "CA" + "e".repeat(32);
        var recording = "RE" + "f".repeat(32);
        var store = world.parts.store();
        store.recorder().callStarted(new CallStart(sid, "test", "v1", "+15551230000", "+15550001111", Direction.INBOUND, Instant.now()));
        store.recorder().callEnded(new CallEnd(sid, Instant.now(), "hangup", CallStatus.COMPLETED));
        world.twilioApi.addRecording(recording, Files.readAllBytes(MICROPHONE.write(Files.createTempFile("recording", ".wav"))));
        store.recordingStatus(recording, sid, "completed", Optional.of(2), Optional.of(3));
        await(d -> store.findCall(sid).isPresent());

        driver.get(world.url() + "/#/calls/" + sid);
        await(d -> text("#detail-sid").equals(sid));
        assertThat(text("#detail-recordings")).contains(recording, "completed", "3 s");
        click("#detail-recordings button");

        var src = await(d -> d.findElement(By.cssSelector("#detail-recordings audio")).getDomAttribute("src"));
        assertThat(src).startsWith("blob:");
        assertThat(driver.getPageSource()).doesNotContain("api.twilio.com");
    }

    // ---- helpers

    private static void show(String page) {
        driver.findElement(By.cssSelector("nav a[data-page=" + page + "]")).click();
        await(d -> d.findElement(By.id(page.equals("calls") ? "page-calls" : "page-" + page)).isDisplayed());
    }

    /**
     * The text of a transcript turn once it shows {@code showing}: a turn can be drawn before it is
     * complete (the live page draws a call's turns as fetched, mid-turn), and redrawn when it is.
     */
    private static String turn(String list, int index, String showing) {
        return await(d -> {
            var text = d.findElement(By.cssSelector(list + " > li[data-index='" + index + "']")).getText();
            return text.contains(showing) ? text : null;
        });
    }

    /** The latency chart's table of numbers (folded away, so read as text content). */
    private static String latencyNumbers() {
        return driver.findElement(By.cssSelector("#latency table")).getDomProperty("textContent");
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

    @SuppressWarnings("unchecked")
    private static Map<String, Long> stats() {
        return (Map<String, Long>) driver.executeScript("return document.getElementById('page-phone').phone.stats;");
    }

    private static void awaitStored(String callSid, int turns) {
        await(d -> world.parts.store().findCall(callSid)
                        .map(c -> c.summary().endedAt() != null && c.turns().size() >= turns).orElse(false));
    }

    private static <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(50))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }
}
