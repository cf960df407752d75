package dev.dialtone.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeProviderServers;
import dev.dialtone.fakes.FakeTwilio;
import dev.dialtone.fakes.FakeTwilioApi;

/**
 * Everything around the server under test, in the benchmark's own process: the fake providers
 * with fixed delays (STT end of turn 300 ms after speech, LLM first token 200 ms, TTS first byte
 * 100 ms), a fake Twilio API, the flow and its tool plugin in a folder of their own, and the
 * environment that points the server at all of it.
 *
 * <p>The callers' tones say what they "said": the fake STT hears 440 Hz as a question that needs
 * the tool, 660 Hz as a request for a long answer, and anything higher (the interruption is real
 * speech, about 1 kHz to its zero-crossing count) as an interruption. The fake LLM answers
 * from each request's own history, so hundreds of concurrent calls each get the reply their turn
 * calls for: a question gets a call of the tool, a tool result gets a short spoken answer. It also
 * notes every tool call it made and every result that came back in a later request.
 */
final class BenchFakes implements AutoCloseable {
    static final Duration STT_ENDPOINTING = Duration.ofMillis(300);
    static final Duration LLM_FIRST_TOKEN = Duration.ofMillis(200);
    static final Duration TTS_FIRST_BYTE = Duration.ofMillis(100);
    /** Fixed delays on a tool turn's path: end of turn, the LLM twice (tool call, then answer), the TTS. */
    static final long TOOL_TURN_FIXED_MS = STT_ENDPOINTING.toMillis() + 2 * LLM_FIRST_TOKEN.toMillis() + TTS_FIRST_BYTE.toMillis();
    static final double QUESTION_HZ = 440;
    static final double LONG_HZ = 660;
    static final double INTERRUPT_HZ = 880;
    /** A real line's cadence: an interim result every 250 ms of speech. */
    static final Duration INTERIM_EVERY = Duration.ofMillis(250);
    /**
     * The STT's SpeechStarted comes with its first processed window of speech, not with the first
     * frame (an assumption: Deepgram documents no figure); the server's own voice detector is faster.
     */
    static final Duration SPEECH_STARTED_AFTER = Duration.ofMillis(250);
    static final String NUMBER = "+15550001111";
    static final String CALLER = "+15551230000";
    static final String AUTH_TOKEN = "bench-auth-token";

    /**
     * How the benchmark's flow listens: Deepgram Nova with 300 ms endpointing (the default), or
     * Deepgram Flux (its end of turn from the fake's confidence ramp: eager at 400 ms of silence,
     * final at 560 ms), each with or without speculative replies.
     */
    record Listening(boolean flux, boolean speculate) {
        static final Listening NOVA = new Listening(false, false);

        String stt() {
            return flux ? "{ provider: deepgram, model: flux-general-en, eot_threshold: 0.7, eager_eot_threshold: 0.5 }"
                        : "{ provider: deepgram, endpointing: " + STT_ENDPOINTING.toMillis() + " }";
        }

        @Override
        public String toString() {
            return (flux ? "Flux" : "Nova") + (speculate ? ", speculative replies" : "");
        }
    }

    static String flow(Listening listening) {
        return """
                name: bench
                numbers: ["%s"]
                greeting: "Hi, Luigi's."
                prompt: "You are a benchmark. Prices come from bench_price."
                stt: %s
                llm: { provider: openai, model: gpt-4o-mini }
                tts: { provider: deepgram }
                tools: [bench_price]
                turn: { silence_reprompt_s: 60, min_interrupt_words: 2, max_call_s: 900, speculate: %s }
                """.formatted(NUMBER, listening.stt(), listening.speculate());
    }

    /** A plugin as small as a real lookup: checks its arguments, keeps a value in the call's state. */
    static final String PLUGIN = """
            // The benchmark's tool: a price lookup with the shape of a real one.
            const PRICES = { margherita: { small: 11.0, large: 15.5 }, pepperoni: { small: 12.5, large: 17.0 } };
            export default {
              description: "The price of a pizza.",
              parameters: {
                type: "object",
                properties: { item: { type: "string", enum: Object.keys(PRICES) }, size: { type: "string" } },
                required: ["item"],
              },
              timeoutMs: 1000,
              run(args, call) {
                const size = args.size || "large";
                call.state.last_item = args.item;
                return { item: args.item, size, price: PRICES[args.item][size] };
              },
            };
            """;

    /** What the caller asks on a tool turn, and the answer the agent gives once the tool's result is back. */
    static final String QUESTION = "how much is a large margherita please";
    static final List<String> ANSWER = List.of("A large margherita is fifteen fifty. ", "Anything else?");
    private static final String LONG_REQUEST = "tell me about every pizza you have";
    private static final String INTERRUPTION = "wait stop I have a question";

    final FakeProviderServers providers = FakeProviderServers.start();
    final FakeTwilioApi twilioApi;
    final Path dir;
    private final String accountSid = "AC" + "0".repeat(32);
    private final String adminToken = UUID.randomUUID().toString();
    private final AtomicLong toolCallIds = new AtomicLong();
    private final Set<String> toolCallsMade = ConcurrentHashMap.newKeySet();
    private final Set<String> toolResultsBack = ConcurrentHashMap.newKeySet();

    BenchFakes(Path dir) throws IOException {
        this(dir, Listening.NOVA);
    }

    BenchFakes(Path dir, Listening listening) throws IOException {
        this.dir = dir;
        twilioApi = FakeTwilioApi.start(accountSid, AUTH_TOKEN);
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/bench.yaml"), flow(listening));
        Files.writeString(dir.resolve("plugins/bench_price.js"), PLUGIN);
        var deepgram = providers.deepgram();
        deepgram.stt().keepRecords(false).interimEvery(INTERIM_EVERY).speechStartedAfter(SPEECH_STARTED_AFTER)
                .script(u -> said(u.toneHz()));
        deepgram.tts().keepRecords(false).firstByteDelay(TTS_FIRST_BYTE).msPerChar(40);
        providers.openAi().keepRecords(false).timeToFirstToken(LLM_FIRST_TOKEN).respondWith(this::reply);
    }

    /** The environment that points a server at these fakes, on {@code port}, with its data under {@link #dir}. */
    Map<String, String> serverEnvironment(int port) {
        var env = new HashMap<>(providers.environment());
        env.put("PORT", Integer.toString(port));
        env.put("PUBLIC_URL", serverUrl(port).toString());
        env.put("TWILIO_ACCOUNT_SID", accountSid);
        env.put("TWILIO_AUTH_TOKEN", AUTH_TOKEN); // signatures are checked, as in production
        env.put("TWILIO_API_URL", twilioApi.url().toString());
        env.put("DIALTONE_FLOWS", dir.resolve("flows").toString());
        env.put("DIALTONE_PLUGINS", dir.resolve("plugins").toString());
        // the default database (an H2 file), in a folder of the benchmark's own
        env.put("DIALTONE_DB", "jdbc:h2:file:" + dir.resolve("db/dialtone") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        env.put("DIALTONE_DATA", dir.resolve("data").toString());
        env.put("DIALTONE_ADMIN_TOKEN", adminToken); // the benchmark reads the server's records with it
        return env;
    }

    static URI serverUrl(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The token the servers started with {@link #serverEnvironment} accept. */
    String adminToken() {
        return adminToken;
    }

    /** The server's records of calls, read with the admin token. */
    ServerRecords records(int port) {
        return new ServerRecords(serverUrl(port), adminToken);
    }

    /** Twilio's side of calls into the server on {@code port}, signing as Twilio does. */
    FakeTwilio twilio(int port) {
        return new FakeTwilio(serverUrl(port), AUTH_TOKEN);
    }

    /** Tool calls the LLM made whose result never came back in a later request; the count starts again. */
    long takeToolResultsMissing() {
        long missing = toolCallsMade.stream().filter(id -> !toolResultsBack.contains(id)).count();
        toolCallsMade.clear();
        toolResultsBack.clear();
        return missing;
    }

    /** Tool calls the LLM made so far (since the last {@link #takeToolResultsMissing}). */
    long toolCallsMade() {
        return toolCallsMade.size();
    }

    /** LLM requests refused as the real API would refuse them (an invalid history), so far. */
    int llmRefusals() {
        return providers.openAi().refusals().size();
    }

    private static String said(double hz) {
        if (hz < (QUESTION_HZ + LONG_HZ) / 2) {
            return QUESTION;
        }
        return hz < (LONG_HZ + INTERRUPT_HZ) / 2 ? LONG_REQUEST : INTERRUPTION;
    }

    /** What the fake LLM answers, from the request's own messages (OpenAI's shape). */
    private Reply reply(JsonNode request) {
        var messages = request.path("messages");
        for (var message : messages) {
            if (message.path("role").asText().equals("tool")) {
                toolResultsBack.add(message.path("tool_call_id").asText());
            }
        }
        var last = messages.path(messages.size() - 1);
        if (last.path("role").asText().equals("tool")) {
            return Reply.text(ANSWER.toArray(String[]::new));
        }
        var text = text(last.path("content")).toLowerCase(Locale.ROOT);
        if (text.contains("how much")) {
            var id = "call_bench_" + toolCallIds.incrementAndGet();
            toolCallsMade.add(id);
            return Reply.toolCalls(new Call(id, "bench_price", "{\"item\":\"margherita\",\"size\":\"large\"}"));
        }
        if (text.contains("every pizza")) {
            return Reply.text("Let me tell you about every pizza we have, ", "one by one, ",
                              "starting with the margherita and ending with the calzone.");
        }
        return Reply.text("Sure, ", "go ahead.");
    }

    /** A message's text: a string, or the text parts of a list of parts. */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        var out = new StringBuilder();
        content.forEach(part -> out.append(part.path("text").asText()).append(' '));
        return out.toString();
    }

    @Override
    public void close() {
        providers.close();
        twilioApi.close();
    }
}
