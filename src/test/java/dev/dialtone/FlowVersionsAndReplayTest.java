package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;
import dev.dialtone.net.Json;
import dev.dialtone.store.CallEnd;
import dev.dialtone.store.CallStart;
import dev.dialtone.store.CallStatus;
import dev.dialtone.store.Direction;
import dev.dialtone.store.ToolCallRecord;
import dev.dialtone.store.TurnRecord;
import dev.dialtone.store.TurnTimings;

/**
 * Flow versions and replays through the server as shipped, against the fake OpenAI: each version is
 * stored as it goes live and linked from the calls it answered; the diff between two shows the changed
 * prompt; a stored call replayed on the live flow answers as it did, and after the prompt changes the
 * replay marks the turn that changed (agent words and tools); a stored version replays as it did;
 * plugins never run in a replay; the API needs the admin token; bin/dialtone replay prints the two
 * side by side and exits 1 when they differ.
 */
class FlowVersionsAndReplayTest {
    static final String TOKEN = "replay-test-token-51c2";
    static final String FLOW = """
            name: shop
            numbers: ["+15550001111"]
            greeting: "Tea shop, hello."
            prompt: "You sell tea."
            stt: { provider: deepgram, model: nova-3, endpointing: 300 }
            llm: { provider: openai, model: gpt-4o-mini }
            tts: { provider: deepgram, voice: aura-2-thalia-en }
            tools: [quote]
            """;
    static final String QUOTE = """
            export default {
              description: "Price of an item",
              parameters: { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
              run() { throw new Error("the real quote plugin ran"); }
            };
            """;
    static final String SID = "CA" + "5".repeat(32);

    static FakeWorld world;
    static String v1;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        world = FakeWorld.start(FLOW, Map.of("quote", QUOTE), Map.of("DIALTONE_ADMIN_TOKEN", TOKEN));
        // the LLM asks for the ZIP code first when its prompt says so, else looks the price up
        world.llm.respondWith(body -> {
            var messages = body.path("messages");
            var system = messages.get(0).path("content").asText();
            var last = messages.get(messages.size() - 1);
            if (last.path("role").asText().equals("tool")) {
                return Reply.text("Tea is three dollars.");
            }
            if (last.path("content").asText().contains("tea")) {
                return system.contains("ZIP") ? Reply.text("What is your ZIP code?")
                        : Reply.toolCalls(new Call("c1", "quote", "{\"item\": \"tea\"}"));
            }
            return Reply.text("Bye!");
        });
        v1 = world.parts.flows().byName("shop").orElseThrow().hash();
        var recorder = world.parts.store().recorder();
        var t0 = Instant.parse("2026-11-02T10:00:00Z");
        recorder.callStarted(new CallStart(SID, "shop", v1, FakeWorld.CALLER, FakeWorld.NUMBER, Direction.INBOUND, t0));
        recorder.turnCompleted(new TurnRecord(SID, 0, "", "Tea shop, hello.", false, TurnTimings.NONE, List.of()));
        recorder.turnCompleted(new TurnRecord(SID, 1, "How much is tea?", "Tea is three dollars.", false, TurnTimings.NONE,
                List.of(ToolCallRecord.succeeded("quote", "{\"item\":\"tea\"}", "{\"price\":3}", 12))));
        recorder.turnCompleted(new TurnRecord(SID, 2, "Thanks, bye.", "Bye!", false, TurnTimings.NONE, List.of()));
        recorder.callEnded(new CallEnd(SID, t0.plusSeconds(30), "caller hung up", CallStatus.COMPLETED));
        Await.until(() -> world.parts.store().recorder().pending() == 0 && world.parts.store().findCall(SID).isPresent(),
                    Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void versionsAreStoredAndDiffedAndAReplayMarksTheTurnsAChangedPromptChanged() throws Exception {
        Await.until(() -> versions().size() == 1, Duration.ofSeconds(10));
        assertThat(versions().get(0).path("version").asText()).isEqualTo(v1);
        assertThat(versions().get(0).path("live").asBoolean()).isTrue();
        assertThat(versions().get(0).path("calls").asLong()).as("the stored call links to its version").isEqualTo(1);
        var stored = get("/api/flows/shop/versions/" + v1, TOKEN);
        assertThat(stored.statusCode()).isEqualTo(200);
        var files = Json.read(stored.body()).path("files");
        assertThat(files.get(0).path("path").asText()).isEqualTo("flows/test.yaml");
        assertThat(files.get(0).path("text").asText()).isEqualTo(FLOW);
        assertThat(files.get(1).path("path").asText()).isEqualTo("plugins/quote.js");
        assertThat(files.get(1).path("text").asText()).isEqualTo(QUOTE);

        var same = replay("{\"target\": \"live\"}");
        assertThat(same.path("differs").asBoolean()).as(same.toPrettyString()).isFalse();
        var tool = same.path("rows").get(1).path("replay").path("tools").get(0);
        assertThat(tool.path("name").asText()).isEqualTo("quote");
        assertThat(tool.path("result").asText()).as("the stored result answers; the plugin does not run").isEqualTo("{\"price\":3}");

        Files.writeString(world.dir.resolve("flows/test.yaml"), FLOW.replace("You sell tea.", "You sell tea. Ask for the ZIP code first."));
        assertThat(post("/api/flows/reload", "", TOKEN).statusCode()).isEqualTo(200);
        var v2 = world.parts.flows().byName("shop").orElseThrow().hash();
        assertThat(v2).isNotEqualTo(v1);
        Await.until(() -> versions().size() == 2, Duration.ofSeconds(10));
        assertThat(versions()).extracting(v -> v.path("version").asText() + " " + v.path("live").asBoolean())
                .containsExactly(v2 + " true", v1 + " false");

        var diff = Json.read(get("/api/flows/shop/diff?from=" + v1 + "&to=" + v2, TOKEN).body());
        assertThat(diff.path("changed").asBoolean()).isTrue();
        var lines = new ArrayList<String>();
        diff.path("files").get(0).path("lines").forEach(l -> lines.add(l.path("kind").asText() + " " + l.path("text").asText()));
        assertThat(lines).contains("removed prompt: \"You sell tea.\"", "added prompt: \"You sell tea. Ask for the ZIP code first.\"");
        assertThat(diff.path("files").get(1).path("status").asText()).isEqualTo("same");

        var changed = replay("{\"target\": \"live\"}");
        assertThat(changed.path("replay").path("version").asText()).isEqualTo(v2);
        assertThat(changed.path("differs").asBoolean()).isTrue();
        var rows = changed.path("rows");
        assertThat(rows.get(0).path("differences")).as("the greeting did not change").isEmpty();
        assertThat(rows.get(1).path("step").asText()).isEqualTo("caller: How much is tea?");
        assertThat(rows.get(1).path("differences")).extracting(JsonNode::asText).containsExactly("agent", "tools");
        assertThat(rows.get(1).path("original").path("agent").asText()).isEqualTo("Tea is three dollars.");
        assertThat(rows.get(1).path("replay").path("agent").asText()).isEqualTo("What is your ZIP code?");
        assertThat(rows.get(1).path("replay").path("tools")).isEmpty();
        assertThat(rows.get(2).path("differences")).isEmpty();

        var old = replay("{\"target\": \"version\", \"version\": \"" + v1 + "\"}");
        assertThat(old.path("replay").path("version").asText()).as("the stored version, loaded again").isEqualTo(v1);
        assertThat(old.path("replay").path("label").asText()).isEqualTo("stored version");
        assertThat(old.path("differs").asBoolean()).as(old.toPrettyString()).isFalse();

        var out = new ByteArrayOutputStream();
        int exit = ReplayCommand.run(world.parts.settings(), new String[] {SID, "--url", world.url().toString()},
                                     new PrintStream(out, true, StandardCharsets.UTF_8));
        var printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed).isEqualTo(1);
        assertThat(printed).contains("≠ 1. caller: How much is tea?   [differs: agent, tools]")
                .containsPattern("agent: Tea is three dollars\\. +≠ agent: What is your ZIP code\\?")
                .contains("  2. caller: Thanks, bye.").contains("The replay differs from the call.");
    }

    @Test
    void theApiNeedsTheTokenAndSaysWhatIsWrong() throws Exception {
        for (var path : List.of("/api/flows/shop/versions", "/api/flows/shop/versions/" + v1, "/api/flows/shop/diff?from=a&to=b")) {
            assertThat(get(path, null).statusCode()).as(path).isEqualTo(401);
            assertThat(get(path, "wrong").statusCode()).as(path).isEqualTo(401);
        }
        assertThat(post("/api/calls/" + SID + "/replay", "{}", null).statusCode()).isEqualTo(401);
        assertThat(post("/api/calls/" + SID + "/replay", "{}", "wrong").statusCode()).isEqualTo(401);

        assertThat(post("/api/calls/" + SID + "/replay", "{\"target\": \"tomorrow\"}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/api/calls/" + SID + "/replay", "{\"target\": \"version\"}", TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/api/calls/" + SID + "/replay", "x".repeat(5000), TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/api/calls/CA-none/replay", "{}", TOKEN).statusCode()).isEqualTo(404);
        assertThat(post("/api/calls/" + SID + "/replay", "{\"target\": \"draft\"}", TOKEN).statusCode()).isEqualTo(404);
        assertThat(post("/api/calls/" + SID + "/replay", "{\"target\": \"version\", \"version\": \"abc\"}", TOKEN).statusCode()).isEqualTo(404);
        assertThat(get("/api/flows/shop/versions/nothex", TOKEN).statusCode()).isEqualTo(400);
        assertThat(get("/api/flows/shop/diff?from=" + v1 + "&to=abc", TOKEN).statusCode()).isEqualTo(404);
    }

    private List<JsonNode> versions() {
        try {
            var out = new ArrayList<JsonNode>();
            Json.read(get("/api/flows/shop/versions", TOKEN).body()).forEach(out::add);
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode replay(String body) throws Exception {
        var response = post("/api/calls/" + SID + "/replay", body, TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.read(response.body());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        var req = HttpRequest.newBuilder(URI.create(world.url() + path));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        var req = HttpRequest.newBuilder(URI.create(world.url() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }
}
