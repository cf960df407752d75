package dev.dialtone.fakes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

/** The fake LLM server keeps connections alive between whole responses, as the real APIs do. */
class FakeLlmServerTest {
    private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    @Test
    void aPooledConnectionCarriesTheNextRequestAfterAWholeStream() throws Exception {
        try (var fake = FakeOpenAi.start("sk-test")) {
            fake.enqueue(FakeLlmServer.Reply.text("One.")).enqueue(FakeLlmServer.Reply.text("Two."));
            var client = HttpClient.newHttpClient();
            assertThat(post(client, fake.baseUrl())).contains("One.").contains("[DONE]");
            assertThat(post(client, fake.baseUrl())).contains("Two.");
            var first = fake.awaitRequest(1000).exchange();
            var second = fake.awaitRequest(1000).exchange();
            assertThat(second.remotePort()).as("same client connection").isEqualTo(first.remotePort());
            assertThat(first.clientClosed()).isFalse();
        }
    }

    @Test
    void aClientThatHangsUpMidStreamIsStillNoticed() throws Exception {
        try (var fake = FakeOpenAi.start("sk-test")) {
            fake.timeToFirstToken(java.time.Duration.ofSeconds(5)).enqueue(FakeLlmServer.Reply.text("Late."));
            var client = HttpClient.newHttpClient();
            var pending = client.sendAsync(request(fake.baseUrl()), HttpResponse.BodyHandlers.ofString());
            var received = fake.awaitRequest(1000);
            pending.cancel(true);
            client.shutdownNow();
            assertThat(received.awaitClientClose(1000)).isTrue();
        }
    }

    private static String post(HttpClient client, URI base) throws Exception {
        return client.send(request(base), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpRequest request(URI base) {
        return HttpRequest.newBuilder(URI.create(base + "/chat/completions")).header("Authorization", "Bearer sk-test")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
    }
}
