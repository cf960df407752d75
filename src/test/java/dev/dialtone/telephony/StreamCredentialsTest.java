package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import dev.dialtone.Secret;

/** Per-call stream credentials: minted by the voice webhook, redeemed once by the stream's start. */
class StreamCredentialsTest {
    private final MovableClock clock = new MovableClock();
    private final StreamCredentials credentials = StreamCredentials.create(new Secret("s3cret"), clock);

    @Test
    void aCredentialOpensTheStreamOfItsCallAndFlowOnce() {
        var credential = credentials.mint("CA1", "pizza");
        assertThat(credentials.redeem(credential, "CA1", "pizza")).isEmpty();
        assertThat(credentials.redeem(credential, "CA1", "pizza")).hasValueSatisfying(p -> assertThat(p).contains("already used"));
    }

    @Test
    void twoWebhooksOfOneCallWithinASecondGiveTwoCredentials() {
        var first = credentials.mint("CA1", "pizza");
        var second = credentials.mint("CA1", "pizza");
        assertThat(second).isNotEqualTo(first);
        assertThat(credentials.redeem(first, "CA1", "pizza")).isEmpty();
        assertThat(credentials.redeem(second, "CA1", "pizza")).isEmpty();
    }

    @Test
    void anotherCallSidOrFlowIsRefused() {
        var credential = credentials.mint("CA1", "pizza");
        assertThat(credentials.redeem(credential, "CA2", "pizza")).hasValueSatisfying(p -> assertThat(p).contains("not issued"));
        assertThat(credentials.redeem(credential, "CA1", "sushi")).hasValueSatisfying(p -> assertThat(p).contains("not issued"));
        // lengths are part of what is signed: moving text across the separator does not help
        var split = credentials.mint("CA1\nx", "y");
        assertThat(credentials.redeem(split, "CA1", "x\ny")).isPresent();
    }

    @Test
    void aCredentialExpiresAfterTwoMinutes() {
        var credential = credentials.mint("CA1", "pizza");
        clock.move(StreamCredentials.TTL.plusSeconds(1));
        assertThat(credentials.redeem(credential, "CA1", "pizza")).hasValueSatisfying(p -> assertThat(p).contains("expired"));
    }

    @Test
    void missingMalformedOrForeignCredentialsAreRefused() {
        assertThat(credentials.redeem("", "CA1", "pizza")).hasValueSatisfying(p -> assertThat(p).contains("no stream credential"));
        assertThat(credentials.redeem("12.%%%", "CA1", "pizza")).hasValueSatisfying(p -> assertThat(p).contains("malformed"));
        assertThat(credentials.redeem("12.abc.%%%", "CA1", "pizza")).hasValueSatisfying(p -> assertThat(p).contains("malformed"));
        assertThat(credentials.redeem("nodot", "CA1", "pizza")).hasValueSatisfying(p -> assertThat(p).contains("malformed"));
        var foreign = StreamCredentials.create(new Secret("other"), clock).mint("CA1", "pizza");
        assertThat(credentials.redeem(foreign, "CA1", "pizza")).hasValueSatisfying(p -> assertThat(p).contains("not issued"));
    }

    @Test
    void withoutASecretEachProcessKeyIsRandom() {
        var one = StreamCredentials.create(new Secret(""), clock);
        var two = StreamCredentials.create(new Secret(""), clock);
        assertThat(one.randomKey()).isTrue();
        assertThat(credentials.randomKey()).isFalse();
        assertThat(two.redeem(one.mint("CA1", "pizza"), "CA1", "pizza")).isPresent();
        assertThat(one.redeem(one.mint("CA1", "pizza"), "CA1", "pizza")).isEmpty();
    }

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T10:00:00Z");

        void move(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
