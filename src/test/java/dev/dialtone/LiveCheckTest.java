package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeProviderServers;
import dev.dialtone.fakes.FakeTwilioApi;

/**
 * {@code bin/dialtone test --live} run against the protocol fakes in place of the real providers:
 * every configured provider is checked with the server's own clients, a wrong key fails the run,
 * and providers without keys are skipped.
 */
class LiveCheckTest {
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @Test
    void everyConfiguredProviderIsCheckedAndPasses() {
        try (var providers = FakeProviderServers.start();
             var twilio = FakeTwilioApi.start(TestSettings.ACCOUNT_SID, TestSettings.AUTH_TOKEN)) {
            providers.deepgram().stt().script("thanks for calling how can i help you today");
            providers.openAi().enqueue(Reply.toolCalls(new Call("call_1", "check_clock", "{\"timezone\":\"UTC\"}")));
            var env = new HashMap<>(providers.environment());
            env.put("TWILIO_API_URL", twilio.url().toString());

            int exit = LiveCheck.run(TestSettings.with(env), out());

            assertThat(printed()).contains("deepgram    tts   ok", "elevenlabs  tts   ok", "openai      llm   ok       gpt-4o-mini: first event", "called check_clock",
                                           "anthropic   llm   ok", "twilio      rest  ok       account active",
                                           "deepgram    stt   ok       heard \"thanks for calling");
            assertThat(exit).as(printed()).isZero();
            assertThat(providers.openAi().refusals()).isEmpty();
            assertThat(providers.anthropic().refusals()).isEmpty();
        }
    }

    @Test
    void aRefusedKeyFailsTheCheckWithTheProvidersAnswer() {
        try (var providers = FakeProviderServers.start()) {
            providers.deepgram().stt().script("thanks for calling");
            var env = new HashMap<>(providers.environment());
            env.put("OPENAI_API_KEY", "sk-wrong");
            env.put("TWILIO_AUTH_TOKEN", "");

            int exit = LiveCheck.run(TestSettings.with(env), out());

            assertThat(exit).isEqualTo(1);
            assertThat(printed()).contains("openai      llm   failed").contains("AUTH").contains("Live check FAILED");
            assertThat(printed()).doesNotContain("sk-wrong");
        }
    }

    @Test
    void withoutKeysEverythingIsSkippedAndNothingFails() {
        int exit = LiveCheck.run(TestSettings.with(Map.of("TWILIO_AUTH_TOKEN", "")), out());

        assertThat(exit).isZero();
        assertThat(printed()).contains("openai            skipped  no OPENAI_API_KEY",
                                       "twilio      rest  skipped  no TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN");
    }

    private PrintStream out() {
        return new PrintStream(printed, true, StandardCharsets.UTF_8);
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }
}
