package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.audio.Fixtures;
import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeCall;
import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeServerFault;
import dev.dialtone.fakes.FakeWorld;

/** Whole calls through the fakes: Twilio -> Deepgram STT -> OpenAI -> Deepgram TTS -> Twilio. */
class CallFlowTest {
    static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            greeting: "Hello, thanks for calling."
            prompt: "You take pizza orders for {{call.from}}."
            stt: { provider: deepgram, model: nova-3, endpointing: 300 }
            llm: { provider: openai, model: gpt-4o-mini }
            tts: { provider: deepgram, voice: aura-2-thalia-en }
            turn: { silence_reprompt_s: 60 }
            """;

    private FakeWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    /**
     * The caller speaks (a tone, which the fake STT transcribes from its script), then is silent
     * long enough to end the turn; returns when their speech ended (System.nanoTime).
     */
    static long speak(FakeCall call, int millis) {
        call.sendAudio(FakeAudio.tone(440, millis));
        long ended = call.lastAudioSentNanos();
        call.sendAudio(FakeAudio.silence(600));
        return ended;
    }

    @Test
    void aThreeTurnCallWithAGreeting() throws Exception {
        world = FakeWorld.start(FLOW);
        world.stt.script("I'd like a pizza", "Large please", "That's all");
        world.llm.enqueue(Reply.text("Sure", ", what ", "size?"))
                 .enqueue(Reply.text("One large ", "pizza. ", "Anything else?"))
                 .enqueue(Reply.text("Thanks, ", "bye!"));
        try (var call = world.dial()) {
            assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).as("greeting").isTrue();
            for (int turn = 0; turn < 3; turn++) {
                long spoke = speak(call, 700);
                assertThat(call.awaitHeardAfter(spoke, Duration.ofSeconds(5))).as("reply " + turn).isTrue();
                assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).isTrue();
            }
            var transcript = world.parts.switchboard().transcript(call.callSid()).orElseThrow();
            var turns = transcript.turns();
            assertThat(turns).hasSize(4);
            assertThat(turns.get(0).agentText()).isEqualTo("Hello, thanks for calling.");
            assertThat(turns.get(1).callerText()).isEqualTo("I'd like a pizza");
            assertThat(turns.get(1).agentText()).isEqualTo("Sure, what size?");
            assertThat(turns.get(2).agentText()).isEqualTo("One large pizza. Anything else?");
            assertThat(turns.get(3).callerText()).isEqualTo("That's all");
            assertThat(turns.get(3).interrupted()).isFalse();
            assertThat(turns.get(1).firstAudioMs()).isPresent();
            assertThat(turns.get(1).llmFirstTokenMs().orElseThrow()).isLessThanOrEqualTo(turns.get(1).firstAudioMs().orElseThrow());

            var third = world.llm.requests().get(2).body();
            assertThat(third.path("messages").toString())
                    .contains("You take pizza orders for +15551230000.")
                    .contains("I'd like a pizza").contains("Sure, what size?")
                    .contains("One large pizza. Anything else?").contains("That's all");
            call.stop();
            // recorded turn by turn in the store, with timings
            awaitTrue(() -> world.parts.store().findCall(call.callSid())
                                  .map(d -> d.summary().endedAt() != null && d.turns().size() == 4).orElse(false));
            var stored = world.parts.store().findCall(call.callSid()).orElseThrow();
            assertThat(stored.summary().flowName()).isEqualTo("test");
            assertThat(stored.turns().get(2).agentText()).isEqualTo("One large pizza. Anything else?");
            var timings = stored.turns().get(2).timings();
            assertThat(timings.sinceSpeechEnd(timings.firstAudioSent())).isPresent();
            assertThat(stored.usage()).anySatisfy(u -> assertThat(u.provider()).isEqualTo("openai"));
        }
    }

    static final String MENU_PRICE = """
            export default {
              description: "Price of a menu item",
              parameters: { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
              say: "Let me check the menu.",
              run(args, call) {
                call.state.last_item = args.item;
                return { item: args.item, price: 12.5 };
              }
            };
            """;

    private static String flowWithTools(String tools) {
        return FLOW.replace("turn: {", "tools: [" + tools + "]\nturn: {");
    }

    @Test
    void aNumberNoFlowAnswersIsToldSoAndHungUp() throws Exception {
        world = FakeWorld.start(FLOW);
        var twiml = world.twilio.voiceWebhook(world.twilio.callParams("CAnone", FakeWorld.CALLER, "+15559999999"));
        assertThat(twiml.status()).isEqualTo(200);
        assertThat(twiml.streamUrl()).isNull();
        assertThat(twiml.body()).contains("<Say>Sorry, this number is not in service.</Say>").contains("<Hangup/>");
        var routed = world.twilio.voiceWebhook(world.twilio.callParams("CAyes", FakeWorld.CALLER, FakeWorld.NUMBER));
        assertThat(routed.parameters()).containsEntry("flow", "test");
    }

    @Test
    void anOutboundCallGoesThroughTwiliosRestApiAndItsWebhookNamesTheFlow() throws Exception {
        world = FakeWorld.start(FLOW, Map.of(), Map.of("PUBLIC_URL", "https://agent.example.com"));
        var http = java.net.http.HttpClient.newHttpClient();
        var res = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(world.url() + "/api/calls"))
                                    .header("Authorization", "Bearer " + world.parts.adminToken().value())
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                            "{\"to\":\"+15557770000\",\"from\":\"+15550001111\",\"flow\":\"test\"}"))
                                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
        assertThat(res.body()).contains("\"callSid\":\"CA");
        var create = world.twilioApi.requests().getLast();
        assertThat(create.path()).endsWith("/Calls.json");
        assertThat(create.form()).containsEntry("To", "+15557770000")
                                 .containsEntry("Url", "https://agent.example.com/twilio/voice?flow=test")
                                 .containsEntry("StatusCallback", "https://agent.example.com/twilio/status");
        // when the callee answers, Twilio fetches that URL: the flow comes from it, not from the number
        var params = world.twilio.callParams("CAout", "+15550001111", "+15557770000");
        var url = "https://agent.example.com/twilio/voice?flow=test";
        var answered = world.twilio.post(world.url() + "/twilio/voice?flow=test", params,
                                         dev.dialtone.fakes.TwilioSigner.sign(dev.dialtone.TestSettings.AUTH_TOKEN, url, params));
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.body()).contains("<Parameter name=\"flow\" value=\"test\"/>")
                                   .contains("url=\"wss://agent.example.com/twilio/stream\"");
    }

    @Test
    void aToolCallSpeaksItsFillerRunsThePluginAndTheLlmContinues() throws Exception {
        world = FakeWorld.start(flowWithTools("menu_price"), Map.of("menu_price", MENU_PRICE), Map.of());
        world.stt.script("How much is a margherita", "Great");
        world.llm.enqueue(Reply.toolCalls(new Call("call_1", "menu_price", "{\"item\":\"margherita\"}")))
                 .enqueue(Reply.text("A margherita ", "is twelve fifty."))
                 .enqueue(Reply.text("Anything else?"));
        try (var call = world.dial()) {
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
            speak(call, 700);
            assertThat(call.awaitQuiet(Duration.ofMillis(400), Duration.ofSeconds(6))).isTrue();
            var turn = transcript(call).turns().get(1);
            assertThat(turn.agentText()).isEqualTo("Let me check the menu. A margherita is twelve fifty.");
            assertThat(turn.tools()).singleElement().satisfies(t -> {
                assertThat(t.name()).isEqualTo("menu_price");
                assertThat(t.result()).contains("12.5");
                assertThat(t.error()).isFalse();
            });
            // the second turn's request carries the whole tool exchange, in order
            speak(call, 500);
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(6));
            var messages = world.llm.requests().get(2).body().path("messages");
            assertThat(messages).hasSize(7);
            assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
            assertThat(messages.get(1).path("role").asText()).isEqualTo("assistant");
            assertThat(messages.get(1).path("content").asText()).isEqualTo("Hello, thanks for calling.");
            assertThat(messages.get(2).path("content").asText()).isEqualTo("How much is a margherita");
            assertThat(messages.get(3).path("tool_calls").get(0).path("function").path("name").asText()).isEqualTo("menu_price");
            assertThat(messages.get(4).path("role").asText()).isEqualTo("tool");
            assertThat(messages.get(4).path("tool_call_id").asText()).isEqualTo("call_1");
            assertThat(messages.get(4).path("content").asText()).contains("\"price\":12.5");
            assertThat(messages.get(5).path("content").asText()).isEqualTo("A margherita is twelve fifty.");
            assertThat(messages.get(6).path("content").asText()).isEqualTo("Great");
            call.stop();
        }
    }

    @Test
    void parallelToolCallsRunConcurrently() throws Exception {
        var slow = slowServer("/stock", 600, "{\"in_stock\":true}");
        var stock = """
                export default {
                  description: "Whether an item is in stock",
                  parameters: { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
                  timeoutMs: 3000,
                  async run(args, call) {
                    const res = await call.http.fetch("http://127.0.0.1:PORT/stock?item=" + args.item, { method: "GET" });
                    return { item: args.item, stock: await res.json() };
                  }
                };
                """.replace("PORT", String.valueOf(slow.getAddress().getPort()));
        var config = "plugins:\n  allowed-hosts: [\"127.0.0.1:" + slow.getAddress().getPort() + "\"]\n";
        try {
            world = FakeWorld.start(flowWithTools("stock"), Map.of("stock", stock), Map.of(), config);
            world.stt.script("Do you have both");
            world.llm.enqueue(Reply.toolCalls(new Call("a", "stock", "{\"item\":\"basil\"}"),
                                              new Call("b", "stock", "{\"item\":\"olives\"}")))
                     .enqueue(Reply.text("Yes, both are in stock."));
            try (var call = world.dial()) {
                call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
                speak(call, 600);
                world.llm.awaitRequest(5000);
                var second = awaitRequest(2);
                var messages = second.body().path("messages");
                assertThat(messages.get(4).path("tool_call_id").asText()).isEqualTo("a");
                assertThat(messages.get(4).path("content").asText()).contains("basil").contains("in_stock");
                assertThat(messages.get(5).path("tool_call_id").asText()).isEqualTo("b");
                call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
                var tools = transcript(call).turns().get(1).tools();
                assertThat(tools).hasSize(2).allSatisfy(t -> assertThat(t.millis()).isGreaterThanOrEqualTo(550));
                // both 600 ms fetches ran at once: the LLM's second request came well before 1.2 s of tool time
                var first = world.llm.requests().get(0);
                long gapMs = (second.exchange().receivedNanos() - first.exchange().receivedNanos()) / 1_000_000;
                assertThat(gapMs).isLessThan(1150);
                call.stop();
            }
        } finally {
            slow.stop(0);
        }
    }

    @Test
    void aBargeInClearsTheLineCancelsTheLlmAndKeepsOnlyWhatWasHeard() throws Exception {
        world = FakeWorld.start(FLOW);
        world.stt.script("Tell me about your pizzas", "no wait stop");
        var longReply = new String[40];
        for (int i = 0; i < longReply.length; i++) {
            longReply[i] = "Sentence number " + i + " is here. ";
        }
        world.llm.perTokenDelay(Duration.ofMillis(100)).enqueue(Reply.text(longReply)).enqueue(Reply.text("Sure."));
        try (var call = world.dial()) {
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
            long spoke = speak(call, 700);
            var firstRequest = world.llm.awaitRequest(5000);
            assertThat(call.awaitHeardAfter(spoke, Duration.ofSeconds(5))).isTrue();
            int heard = call.heardAudio().length;
            Await.until(() -> call.heardAudio().length >= heard + 8 * 700, Duration.ofSeconds(10)); // 700 ms of the reply
            call.sendAudio(FakeAudio.tone(440, 900));
            assertThat(firstRequest.awaitClientClose(3000)).as("LLM request cancelled").isTrue();
            assertThat(call.received("clear")).isNotEmpty();
            call.sendAudio(FakeAudio.silence(600));
            awaitRequest(2);
            var turn = transcript(call).turns().get(1);
            assertThat(turn.interrupted()).isTrue();
            assertThat(turn.agentText()).startsWith("Sentence number 0 is here.");
            assertThat(turn.agentText().length()).isLessThan(String.join("", longReply).length() / 3);
            assertThat(turn.bargeInToClearMs()).isPresent();
            var messages = world.llm.requests().get(1).body().path("messages");
            assertThat(messages.get(3).path("role").asText()).isEqualTo("assistant");
            assertThat(messages.get(3).path("content").asText()).isEqualTo(turn.agentText());
            assertThat(messages.get(4).path("content").asText()).isEqualTo("no wait stop");
            call.stop();
        }
    }

    @Test
    void sustainedSpeechInterruptsEvenBeforeTheTranscriptHasWords() throws Exception {
        world = FakeWorld.start(FLOW);
        // the STT only ever hears "uh-huh": the interruption is known from the audio alone (real speech, for the VAD)
        world.stt.script("Tell me about your pizzas", "uh-huh");
        world.llm.enqueue(Reply.text("We have margherita, pepperoni and calzone. ", "All are baked in a wood oven. ",
                                     "Every pizza is twelve inches, and every one of them is made to order."));
        try (var call = world.dial()) {
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
            long spoke = speak(call, 700);
            assertThat(call.awaitHeardAfter(spoke, Duration.ofSeconds(5))).isTrue();
            long interrupting = System.nanoTime();
            call.sendAudio(Fixtures.mulaw("words"));
            assertThat(call.received("clear").stream().filter(c -> c.atNanos() > interrupting)).isNotEmpty();
            call.sendAudio(FakeAudio.silence(600));
            Await.until(() -> transcript(call).turns().size() > 1 && transcript(call).turns().get(1).interrupted(),
                        Duration.ofSeconds(10));
            assertThat(transcript(call).turns().get(1).bargeIns()).extracting(Turn.BargeIn::step)
                    .containsExactly(Turn.BargeInStep.PAUSED, Turn.BargeInStep.COMMITTED);
            call.stop();
        }
    }

    @Test
    void aBackchannelOverTheAgentPausesItAndItPlaysOnWithoutCancellingTheLlm() throws Exception {
        world = FakeWorld.start(FLOW);
        world.stt.script("Tell me about your pizzas", "uh-huh");
        world.llm.perTokenDelay(Duration.ofMillis(400)) // still streaming when the caller says "uh-huh"
             .enqueue(Reply.text("We have margherita, pepperoni and calzone. ", "All are baked in a wood oven. ",
                                 "Every pizza is twelve inches, and every one of them is made to order."));
        try (var call = world.dial()) {
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
            long spoke = speak(call, 700);
            var request = world.llm.awaitRequest(5000);
            assertThat(call.awaitHeardAfter(spoke, Duration.ofSeconds(5))).isTrue();
            long backchannel = System.nanoTime();
            call.sendAudio(Fixtures.mulaw("backchannel"));
            call.sendAudio(FakeAudio.silence(600));
            assertThat(call.received("clear").stream().filter(c -> c.atNanos() > backchannel)).isNotEmpty();
            assertThat(call.awaitHeardAfter(call.lastAudioSentNanos(), Duration.ofSeconds(5))).as("it plays on").isTrue();
            Await.until(() -> transcript(call).turns().size() > 1 && !transcript(call).turns().get(1).agentText().isEmpty(),
                        Duration.ofSeconds(20));
            var turn = transcript(call).turns().get(1);
            assertThat(turn.interrupted()).isFalse();
            assertThat(turn.agentText()).endsWith("made to order.");
            assertThat(turn.bargeIns()).extracting(Turn.BargeIn::step)
                    .containsExactly(Turn.BargeInStep.PAUSED, Turn.BargeInStep.RESUMED);
            assertThat(request.awaitClientClose(100)).as("the LLM request was not cancelled").isFalse();
            call.stop();
        }
    }

    @Test
    void aDtmfRouteTransfersTheCallThroughTheRestApi() throws Exception {
        world = FakeWorld.start(FLOW + "dtmf: { \"0\": { transfer: \"+15550009999\" } }\n");
        try (var call = world.dial()) {
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
            long pressed = System.nanoTime();
            call.dtmf("0");
            assertThat(call.awaitHeardAfter(pressed, Duration.ofSeconds(3))).isTrue();
            awaitTrue(() -> !world.twilioApi.requests().isEmpty());
            var request = world.twilioApi.requests().getLast();
            assertThat(request.path()).endsWith("/Calls/" + call.callSid() + ".json");
            assertThat(request.form().get("Twiml")).contains("<Dial>+15550009999</Dial>");
            assertThat(transcript(call).notes()).anySatisfy(n -> assertThat(n.kind()).isEqualTo("transfer"));
            assertThat(transcript(call).turns().getLast().agentText()).isEqualTo("Please hold while I transfer you.");
        }
    }

    @Test
    void aTtsFailureMidTurnIsApologisedFor() throws Exception {
        world = FakeWorld.start(FLOW);
        world.stt.script("Hello");
        world.llm.enqueue(Reply.text("This reply will never be heard in full because the voice breaks."));
        try (var call = world.dial()) {
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
            // the call's TTS socket (the one that spoke the greeting) breaks after the reply's first chunk
            world.tts.sockets().stream()
                     .filter(socket -> socket.messages().stream().anyMatch(m -> m.path("text").asText().startsWith("Hello")))
                     .findFirst().orElseThrow().dropAfterChunks(1);
            long spoke = speak(call, 600);
            assertThat(call.awaitHeardAfter(spoke, Duration.ofSeconds(4))).isTrue();
            awaitTrue(() -> transcript(call).turns().getLast().agentText().startsWith("Sorry, I had a problem"));
            // the broken reply's audio stopped; the apology followed within the dead-air limit
            var heard = call.heard();
            long longestGapMs = 0;
            for (int i = 1; i < heard.size(); i++) {
                if (heard.get(i - 1).atNanos() > spoke) {
                    longestGapMs = Math.max(longestGapMs, (heard.get(i).atNanos() - heard.get(i - 1).atNanos()) / 1_000_000);
                }
            }
            assertThat(longestGapMs).isLessThan(3000L);
            call.stop();
        }
    }

    @Test
    void anSttThatCannotReconnectIsApologisedForAndReplacedAndTheCallGoesOn() throws Exception {
        world = FakeWorld.start(FLOW);
        world.stt.script("Hello again");
        world.llm.enqueue(Reply.text("Welcome back."));
        try (var call = world.dial()) {
            call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5));
            // the socket drops and Deepgram refuses every reconnect the client tries
            for (int i = 0; i < 3; i++) {
                world.stt.failNextConnection(FakeServerFault.SERVER_ERROR);
            }
            world.stt.dropAfterAudioBytes(0);
            long dropped = System.nanoTime();
            call.sendAudio(FakeAudio.silence(200));
            assertThat(call.awaitHeardAfter(dropped, Duration.ofSeconds(5))).isTrue();
            awaitTrue(() -> transcript(call).turns().getLast().agentText().startsWith("Sorry, I had a problem"));
            assertThat(transcript(call).notes()).anySatisfy(n -> assertThat(n.detail()).startsWith("stt:"));
            // a fresh STT session hears the next turn
            long spoke = speak(call, 600);
            assertThat(call.awaitHeardAfter(spoke, Duration.ofSeconds(5))).isTrue();
            awaitTrue(() -> transcript(call).turns().getLast().agentText().equals("Welcome back."));
            assertThat(transcript(call).turns().getLast().callerText()).isEqualTo("Hello again");
            call.stop();
        }
    }

    /** A local HTTP service for plugins to fetch: answers {@code path} after {@code millis} (204 without a body). */
    private static HttpServer slowServer(String path, long millis, String json) throws java.io.IOException {
        var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, exchange -> {
            try {
                Thread.sleep(millis);
                if (json == null) {
                    exchange.sendResponseHeaders(204, -1);
                } else {
                    var body = json.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    private CallTranscript transcript(dev.dialtone.fakes.FakeCall call) {
        return world.parts.switchboard().transcript(call.callSid()).orElseThrow();
    }

    private dev.dialtone.fakes.FakeLlmServer.Received awaitRequest(int count) {
        awaitTrue(() -> world.llm.requests().size() >= count);
        return world.llm.requests().get(count - 1);
    }

    static void awaitTrue(BooleanSupplier condition) {
        dev.dialtone.Await.until(condition, Duration.ofSeconds(8));
    }
}
