package dev.dialtone.fakes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.helidon.webserver.WebServer;

import dev.dialtone.Main;
import dev.dialtone.Parts;
import dev.dialtone.trace.CallTracer;
import dev.dialtone.TestSettings;
import dev.dialtone.conversation.Providers;
import dev.dialtone.llm.openai.OpenAiChatModel;
import dev.dialtone.speech.deepgram.DeepgramRestTextToSpeech;
import dev.dialtone.speech.deepgram.DeepgramSpeechToText;
import dev.dialtone.speech.deepgram.DeepgramTextToSpeech;

/**
 * A whole fake world around a real Dialtone server: Twilio (caller), Deepgram STT, an OpenAI
 * LLM and Deepgram TTS, each a protocol-faithful fake, plus a flows folder with the test's flow.
 *
 * <pre>{@code
 * try (var world = FakeWorld.start(FLOW_YAML)) {
 *     world.stt.script("I'd like a pizza");
 *     world.llm.enqueue(FakeLlmServer.Reply.text("Sure", ", large?"));
 *     try (var call = world.dial()) {
 *         call.sendAudio(FakeAudio.concat(FakeAudio.tone(440, 800), FakeAudio.silence(600)));
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class FakeWorld implements AutoCloseable {
    public static final String KEY = "fake-provider-key";
    public static final String CALLER = "+15551230000";
    public static final String NUMBER = "+15550001111";

    public final FakeDeepgramStt stt = new FakeDeepgramStt(KEY);
    public final FakeLlmServer llm = FakeOpenAi.start(KEY);
    public final FakeDeepgramTts tts;
    public final FakeTwilioApi twilioApi = FakeTwilioApi.start(TestSettings.ACCOUNT_SID, TestSettings.AUTH_TOKEN);
    public final Path dir;
    public final Parts parts;
    public final WebServer server;
    public final FakeTwilio twilio;
    /** Twilio's conferences and the calls the server places (a warm transfer's human). */
    public final FakeConferences conferences;

    /** Which of Deepgram's TTS endpoints the server speaks through. */
    public enum Tts {
        /** The streaming socket (the server's primary). */
        SOCKET,
        /** One HTTP request per segment (the server's fallback), on kept-alive connections. */
        REST
    }

    private FakeWorld(String flowYaml, Map<String, String> plugins, Map<String, String> env, String configYaml,
                      Tts ttsEndpoint, CallTracer tracer) throws IOException {
        tts = (ttsEndpoint == Tts.REST ? FakeDeepgramTts.keepingAlive(KEY) : new FakeDeepgramTts(KEY)).msPerChar(10);
        dir = Files.createTempDirectory("dialtone-world");
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/test.yaml"), flowYaml);
        for (var plugin : plugins.entrySet()) {
            Files.writeString(dir.resolve("plugins/" + plugin.getKey() + ".js"), plugin.getValue());
        }
        var all = new HashMap<String, String>();
        all.put("DIALTONE_FLOWS", dir.resolve("flows").toString());
        all.put("DIALTONE_PLUGINS", dir.resolve("plugins").toString());
        all.put("DIALTONE_DATA", dir.resolve("data").toString());
        all.put("DEEPGRAM_API_KEY", KEY);
        all.put("OPENAI_API_KEY", KEY);
        all.put("TWILIO_API_URL", twilioApi.url().toString());
        all.putAll(env);
        var settings = TestSettings.with(all);
        if (configYaml != null) {
            Files.writeString(dir.resolve("config.yaml"), configYaml);
            all.put("TWILIO_AUTH_TOKEN", TestSettings.AUTH_TOKEN);
            all.put("TWILIO_ACCOUNT_SID", TestSettings.ACCOUNT_SID);
            settings = dev.dialtone.Settings.load(dir.resolve("config.yaml"), all);
        }
        var providers = new Providers(
                Map.of("deepgram", new DeepgramSpeechToText(stt.baseUrl(), KEY, DeepgramSpeechToText.Timing.defaults())),
                Map.of("openai", new OpenAiChatModel(llm.baseUrl(), KEY, Duration.ofSeconds(2), Duration.ofSeconds(10))),
                Map.of("deepgram", ttsEndpoint == Tts.REST
                        ? new DeepgramRestTextToSpeech(tts.baseUrl(), KEY, Duration.ofSeconds(2), Duration.ofSeconds(10))
                        : new DeepgramTextToSpeech(tts.baseUrl(), KEY, Duration.ofSeconds(2))));
        parts = Parts.create(settings, Clock.systemUTC(), providers, null, tracer);
        var builder = WebServer.builder().port(0);
        Main.setUp(builder, parts);
        server = builder.build().start();
        twilio = new FakeTwilio(url(), TestSettings.AUTH_TOKEN);
        conferences = new FakeConferences(twilio, twilioApi);
    }

    public static FakeWorld start(String flowYaml) {
        return start(flowYaml, Map.of(), Map.of());
    }

    public static FakeWorld start(String flowYaml, Map<String, String> plugins, Map<String, String> env) {
        return start(flowYaml, plugins, env, Tts.SOCKET);
    }

    /** With a config.yaml of the test's own (e.g. plugin settings); null uses the repository's. */
    public static FakeWorld start(String flowYaml, Map<String, String> plugins, Map<String, String> env,
                                  String configYaml) {
        return start(flowYaml, plugins, env, configYaml, Tts.SOCKET);
    }

    /** With the TTS endpoint of one's choice (the benchmark measures both). */
    public static FakeWorld start(String flowYaml, Map<String, String> plugins, Map<String, String> env, Tts tts) {
        return start(flowYaml, plugins, env, null, tts);
    }

    private static FakeWorld start(String flowYaml, Map<String, String> plugins, Map<String, String> env,
                                   String configYaml, Tts tts) {
        try {
            return new FakeWorld(flowYaml, plugins, env, configYaml, tts, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** With calls traced by {@code tracer} (e.g. into an in-memory exporter). */
    public static FakeWorld traced(String flowYaml, Map<String, String> plugins, CallTracer tracer) {
        try {
            return new FakeWorld(flowYaml, plugins, Map.of(), null, Tts.SOCKET, tracer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI url() {
        return URI.create("http://localhost:" + server.port());
    }

    /** A call from {@link #CALLER} to {@link #NUMBER}. */
    public FakeCall dial() {
        try {
            return twilio.dial(CALLER, NUMBER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
        parts.close();
        stt.close();
        llm.close();
        tts.close();
        twilioApi.close();
    }
}
