package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.dialtone.conversation.Turn;

/** A turn's JSON carries what the console's latency chart marks: barge-in steps and speculative replies. */
class CallJsonTest {

    @Test
    void aTurnCarriesItsBargeInStepsAndSpeculations() {
        var view = new Turn.View(2, Instant.parse("2026-12-01T10:00:00Z"), "A large one", "Sure", false, List.of(),
                Optional.of(550L), Optional.of(450L), Optional.of(460L), Optional.of(600L), Optional.of(650L), Optional.empty(),
                List.of(new Turn.BargeIn(Turn.BargeInStep.PAUSED, 300), new Turn.BargeIn(Turn.BargeInStep.RESUMED, 560)),
                List.of(new Turn.Speculated(Turn.SpeculationOutcome.RESUMED, -900, -700),
                        new Turn.Speculated(Turn.SpeculationOutcome.USED, 150, 550)));

        var json = CallJson.turn(view);

        assertThat(json.path("bargeIns").toString())
                .isEqualTo("[{\"step\":\"paused\",\"msIntoReply\":300},{\"step\":\"resumed\",\"msIntoReply\":560}]");
        assertThat(json.path("speculations").toString())
                .isEqualTo("[{\"outcome\":\"resumed\",\"startedMs\":-900,\"settledMs\":-700},"
                           + "{\"outcome\":\"used\",\"startedMs\":150,\"settledMs\":550}]");
        assertThat(json.path("timingsMs").path("llmFirstToken").asLong()).as("before the turn ended: the reply was prepared").isEqualTo(450);
    }
}
