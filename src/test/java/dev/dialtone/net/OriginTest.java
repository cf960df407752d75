package dev.dialtone.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocketFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connect time-out bounds the name's resolution too: a resolver that hangs
 * ({@link StallingResolver}) must not hold a connect past its time-out. Each test's host is its
 * own, since the JDK caches what a lookup answered.
 */
class OriginTest {
    /** Generous: only says the connect ended at all while the resolver still hung. */
    private static final long ENDED_SECONDS = 30;

    @Test
    @Timeout(150)
    void aHangingResolverDoesNotHoldAConnectPastItsTimeout() throws Exception {
        var host = "api.origin" + StallingResolver.DOMAIN;
        try (var stall = StallingResolver.stall()) {
            var connect = CompletableFuture.supplyAsync(() -> {
                try {
                    return new Origin(host, 443, true).connect(Duration.ofMillis(300), (SSLSocketFactory) SSLSocketFactory.getDefault());
                } catch (Exception e) {
                    return e;
                }
            });
            var outcome = connect.get(ENDED_SECONDS, TimeUnit.SECONDS);
            assertThat(stall.asked(host, 10)).as("the name went to the resolver").isTrue();
            assertThat(stall.released()).as("the resolver still hangs").isFalse();
            assertThat(outcome).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    @Timeout(150)
    void aProviderSocketWhoseNameDoesNotResolveInTimeFailsAsATimeout() throws Exception {
        var host = "api.socket" + StallingResolver.DOMAIN;
        try (var stall = StallingResolver.stall()) {
            var connect = CompletableFuture.supplyAsync(() -> {
                try {
                    return ProviderSocket.connect("deepgram", URI.create("wss://" + host + "/v1/listen"), Map.of(),
                            Duration.ofMillis(300), new ProviderSocketTest.Seen());
                } catch (ProviderException e) {
                    return e;
                }
            });
            var outcome = connect.get(ENDED_SECONDS, TimeUnit.SECONDS);
            assertThat(stall.asked(host, 10)).as("the name went to the resolver").isTrue();
            assertThat(stall.released()).as("the resolver still hangs").isFalse();
            assertThat(outcome).isInstanceOf(ProviderException.class);
            assertThat(((ProviderException) outcome).error().kind()).isEqualTo(ProviderError.Kind.TIMEOUT);
        }
    }
}
