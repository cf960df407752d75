package dev.dialtone.fakes;

import java.util.Map;

/**
 * Every external provider but Twilio, faked and started in one line: Deepgram (STT and TTS on one
 * URL), an OpenAI-compatible server, Anthropic and ElevenLabs, each on its own free port with its
 * own key. {@link #environment()} gives the settings that point the server at them.
 *
 * <p>A whole fake world for an end-to-end test, with the lead's FakeTwilio as the caller:
 * <pre>{@code
 * try (var providers = FakeProviderServers.start()) {
 *     providers.deepgram().stt().script("I'd like a large margherita");
 *     providers.openAi().enqueue(FakeLlmServer.Reply.text("Sure, ", "one large margherita."));
 *     var settings = Settings.from(providers.environment());   // DEEPGRAM_URL, OPENAI_BASE_URL, ...
 *     // start the server with these settings, then dial it with FakeTwilio
 * }
 * }</pre>
 */
public final class FakeProviderServers implements AutoCloseable {
    public static final String DEEPGRAM_KEY = "fake-deepgram-key";
    public static final String OPENAI_KEY = "fake-openai-key";
    public static final String ANTHROPIC_KEY = "fake-anthropic-key";
    public static final String ELEVENLABS_KEY = "fake-elevenlabs-key";

    private final FakeDeepgram deepgram;
    private final FakeLlmServer openAi;
    private final FakeLlmServer anthropic;
    private final FakeElevenLabs elevenLabs;

    private FakeProviderServers() {
        deepgram = new FakeDeepgram(DEEPGRAM_KEY);
        openAi = FakeOpenAi.start(OPENAI_KEY);
        anthropic = FakeAnthropic.start(ANTHROPIC_KEY);
        elevenLabs = new FakeElevenLabs(ELEVENLABS_KEY);
    }

    public static FakeProviderServers start() {
        return new FakeProviderServers();
    }

    public FakeDeepgram deepgram() {
        return deepgram;
    }

    public FakeLlmServer openAi() {
        return openAi;
    }

    public FakeLlmServer anthropic() {
        return anthropic;
    }

    public FakeElevenLabs elevenLabs() {
        return elevenLabs;
    }

    /** The environment variables (DESIGN.md names) that point a server at these fakes. */
    public Map<String, String> environment() {
        return Map.of(
                "DEEPGRAM_URL", deepgram.baseUrl().toString(), "DEEPGRAM_API_KEY", DEEPGRAM_KEY,
                "OPENAI_BASE_URL", openAi.baseUrl().toString(), "OPENAI_API_KEY", OPENAI_KEY,
                "ANTHROPIC_BASE_URL", anthropic.baseUrl().toString(), "ANTHROPIC_API_KEY", ANTHROPIC_KEY,
                "ELEVENLABS_URL", elevenLabs.baseUrl().toString(), "ELEVENLABS_API_KEY", ELEVENLABS_KEY);
    }

    @Override
    public void close() {
        deepgram.close();
        openAi.close();
        anthropic.close();
        elevenLabs.close();
    }
}
