package dev.dialtone.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dialtone.telephony.MessageBudget.Verdict;

/** The per-stream rate limit, driven on made-up times. */
class MessageBudgetTest {
    private static final StreamLimits LIMITS = new StreamLimits(100, 500, Duration.ofSeconds(5));
    private static final long SECOND = 1_000_000_000L;

    @Test
    void twiliosOwnTrafficIsNeverDroppedEvenAfterAStall() {
        var budget = new MessageBudget(LIMITS, 0);
        long t = 0;
        for (int i = 0; i < 50 * 600; i++) { // ten minutes of media every 20 ms, a mark now and then
            t += 20_000_000L;
            assertThat(budget.take(t)).isEqualTo(Verdict.ACCEPT);
            if (i % 25 == 0) {
                assertThat(budget.take(t)).isEqualTo(Verdict.ACCEPT);
            }
        }
        t += 10 * SECOND; // a ten-second network stall, then Twilio's backlog all at once
        for (int i = 0; i < 500; i++) {
            assertThat(budget.take(t)).isEqualTo(Verdict.ACCEPT);
        }
    }

    @Test
    void aFloodIsDroppedAfterTheBurstAndClosedAfterTheStrikes() {
        var budget = new MessageBudget(LIMITS, 0);
        var verdicts = new ArrayList<Verdict>();
        for (int i = 0; i < 1500; i++) {
            verdicts.add(budget.take(1));
        }
        assertThat(verdicts.subList(0, 500)).containsOnly(Verdict.ACCEPT);
        assertThat(verdicts.subList(500, 1499)).containsOnly(Verdict.DROP);
        assertThat(verdicts.getLast()).isEqualTo(Verdict.CLOSE);
    }

    @Test
    void aStreamTenPercentOverTheRateIsThrottledButNotClosed() {
        var verdicts = run(110, 600);
        assertThat(verdicts).contains(Verdict.DROP).doesNotContain(Verdict.CLOSE);
    }

    @Test
    void aStreamTwiceTheRateIsClosedInTheEnd() {
        var verdicts = run(200, 60);
        assertThat(verdicts).contains(Verdict.CLOSE);
        // the burst and a hundred a second got through until the strikes ran out, some 16 s in
        long accepted = verdicts.stream().filter(v -> v == Verdict.ACCEPT).count();
        assertThat(accepted).isBetween(1_500L, 3_000L);
    }

    /** {@code perSecond} evenly spaced frames for {@code seconds}, until the first CLOSE. */
    private static List<Verdict> run(int perSecond, int seconds) {
        var budget = new MessageBudget(LIMITS, 0);
        var verdicts = new ArrayList<Verdict>();
        for (long i = 1; i <= (long) perSecond * seconds; i++) {
            var verdict = budget.take(i * SECOND / perSecond);
            verdicts.add(verdict);
            if (verdict == Verdict.CLOSE) {
                break;
            }
        }
        return verdicts;
    }
}
