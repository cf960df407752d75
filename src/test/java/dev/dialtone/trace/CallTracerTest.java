package dev.dialtone.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeCall;
import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.speech.TextToSpeech;

/**
 * Traces of whole calls through the fakes (Twilio, Deepgram STT and TTS, OpenAI, a plugin tool):
 * into the SDK's in-memory exporter, to check their shape, and over OTLP/HTTP to a fake collector,
 * to check that the exporter really posts them.
 */
class CallTracerTest {
    static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            greeting: "Hello, thanks for calling."
            prompt: "You take pizza orders."
            stt: { provider: deepgram, model: nova-3, endpointing: 300 }
            llm: { provider: openai, model: gpt-4o-mini }
            tts: { provider: deepgram, voice: aura-2-thalia-en }
            tools: [menu_price]
            turn: { silence_reprompt_s: 60 }
            """;
    static final String MENU_PRICE = """
            export default {
              description: "Price of a menu item",
              parameters: { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
              run(args, call) {
                return { item: args.item, price: 12.5 };
              }
            };
            """;
    private static final AttributeKey<String> CALL_SID = AttributeKey.stringKey("dialtone.call_sid");

    private FakeWorld world;
    private HttpServer collector;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
        if (collector != null) {
            collector.stop(0);
        }
    }

    /** One turn that runs the tool: greeting, the caller's question, the LLM twice, the answer. */
    private String callWithAToolTurn() throws Exception {
        world.stt.script("How much is a margherita");
        world.llm.enqueue(Reply.toolCalls(new Call("call_1", "menu_price", "{\"item\":\"margherita\"}")))
                 .enqueue(Reply.text("A margherita ", "is twelve fifty."));
        try (FakeCall call = world.dial()) {
            assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(20))).as("greeting").isTrue();
            call.sendAudio(FakeAudio.tone(440, 700));
            call.sendAudio(FakeAudio.silence(600));
            // the tool ran (a first run compiles the plugin) and the answer was spoken and heard
            await(() -> world.parts.switchboard().transcript(call.callSid())
                    .map(t -> t.turns().size() == 2 && t.turns().get(1).agentText().equals("A margherita is twelve fifty."))
                    .orElse(false));
            assertThat(call.awaitQuiet(Duration.ofMillis(400), Duration.ofSeconds(20))).as("answer").isTrue();
            call.stop();
            return call.callSid();
        }
    }

    @Test
    void aCallIsOneTraceWithATurnSpanPerTurnItsMarksAndItsRequestsAndToolsUnderIt() throws Exception {
        var exporter = InMemorySpanExporter.create();
        var sdk = OpenTelemetrySdk.builder().setTracerProvider(
                SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
        world = FakeWorld.traced(FLOW, Map.of("menu_price", MENU_PRICE), CallTracer.with(sdk));

        var sid = callWithAToolTurn();
        await(() -> named(exporter.getFinishedSpanItems(), "call").size() == 1);
        var spans = exporter.getFinishedSpanItems();

        var call = named(spans, "call").getFirst();
        assertThat(call.getParentSpanContext().isValid()).as("the call span is the trace's root").isFalse();
        assertThat(spans).allSatisfy(s -> {
            assertThat(s.getTraceId()).isEqualTo(call.getTraceId());
            assertThat(s.getAttributes().get(CALL_SID)).as(s.getName()).isEqualTo(sid);
        });
        var turns = named(spans, "turn");
        assertThat(turns).extracting(s -> s.getAttributes().get(AttributeKey.longKey("dialtone.turn"))).containsExactly(0L, 1L);
        assertThat(turns).allSatisfy(t -> assertThat(t.getParentSpanId()).isEqualTo(call.getSpanId()));
        var question = turns.get(1);
        assertThat(question.getEvents()).extracting(EventData::getName)
                .containsSubsequence("caller speech end", "stt final", "llm first token", "first segment", "tts first audio",
                                     "first audio sent");

        var llm = named(spans, "llm openai");
        assertThat(llm).hasSize(2).allSatisfy(s -> {
            assertThat(s.getParentSpanId()).isEqualTo(question.getSpanId());
            assertThat(s.getEvents()).extracting(EventData::getName).contains("first token");
            assertThat(s.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("gpt-4o-mini");
        });
        assertThat(llm).extracting(s -> s.getAttributes().get(AttributeKey.stringKey("gen_ai.response.finish_reason")))
                       .containsExactlyInAnyOrder("tool_calls", "stop");
        assertThat(named(spans, "tool menu_price")).singleElement()
                .satisfies(t -> assertThat(t.getParentSpanId()).isEqualTo(question.getSpanId()));
        var tts = named(spans, "tts deepgram");
        assertThat(tts).anySatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(question.getSpanId()))
                       .anySatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(call.getSpanId())) // the greeting
                       .allSatisfy(s -> assertThat(s.getEvents()).extracting(EventData::getName).contains("first audio"));
        // nothing that was said goes into a trace
        assertThat(spans.toString()).doesNotContain("margherita").doesNotContain("Hello, thanks");
        sdk.close();
    }

    @Test
    void withAnEndpointSetTheServerPostsItsSpansAsOtlpProtobufToTheCollector() throws Exception {
        var posts = new CopyOnWriteArrayList<String[]>();
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            var body = exchange.getRequestBody().readAllBytes();
            posts.add(new String[] {exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath(),
                                    exchange.getRequestHeaders().getFirst("Content-Type"),
                                    new String(body, StandardCharsets.ISO_8859_1)});
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all accepted
            exchange.close();
        });
        collector.start();
        world = FakeWorld.start(FLOW, Map.of("menu_price", MENU_PRICE),
                                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort(),
                                       "OTEL_SERVICE_NAME", "dialtone-test"));
        assertThat(world.parts.tracer().enabled()).isTrue();

        var sid = callWithAToolTurn();
        await(() -> world.parts.switchboard().active().isEmpty());
        world.close(); // flushes the batch
        world = null;

        assertThat(posts).isNotEmpty().allSatisfy(p -> {
            assertThat(p[0]).isEqualTo("POST /v1/traces");
            assertThat(p[1]).isEqualTo("application/x-protobuf");
        });
        var all = String.join("", posts.stream().map(p -> p[2]).toList());
        // protobuf carries strings as they are: the spans, the CallSid and the service are in the body
        assertThat(all).contains(sid, "dialtone.call_sid", "dialtone-test", "llm openai", "tts deepgram",
                                 "tool menu_price", "first audio sent");
        assertThat(all).doesNotContain("margherita");
    }

    @Test
    void offTheProvidersAreHandedOverUntouched() {
        var tracer = CallTracer.off();
        ChatModel model = (request, listener) -> () -> { };
        TextToSpeech tts = (options, listener) -> null;

        assertThat(tracer.enabled()).isFalse();
        assertThat(tracer.llm("CA1", "openai", model)).isSameAs(model);
        assertThat(tracer.tts("CA1", "deepgram", tts)).isSameAs(tts);
    }

    private static List<SpanData> named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name))
                    .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        // generous: a first plugin run compiles it, which takes long on a loaded 2-core machine
        var deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
