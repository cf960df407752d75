package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import dev.dialtone.llm.ChatMessage;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.TurnThresholds;

/**
 * A node's {@code patience:} on the manual clock. The flow's STT is Nova with its defaults
 * (endpointing 300 ms, utterance end 1000 ms); the details node asks for 1200 and 2500. A turn the
 * provider ends there waits for the difference, and a word in the meantime keeps it going; in the
 * other node the same pause ends the turn at once. An STT that applies thresholds itself (Flux)
 * is told on entering and leaving the node instead, and nothing is held.
 */
class PatienceTest extends HarnessTestBase {
    private static final TurnThresholds PATIENT = new TurnThresholds(OptionalDouble.of(0.9), OptionalInt.of(9000));

    @Override
    String flowBody() {
        return """
                start: details
                nodes:
                  details:
                    prompt: Ask for the date of birth.
                    patience: { endpointing_ms: 1200, utterance_end_ms: 2500, eot_threshold: 0.9, eot_timeout_ms: 9000 }
                    next: { chat: the date of birth is known }
                  chat:
                    prompt: Answer questions.
                    next: { details: the caller wants to give the date again }
                """;
    }

    @Test
    void aPauseShorterThanTheNodesPatienceDoesNotEndTheTurnThere() {
        call.playAll();
        call.stt(new SttEvent.Final("my date of birth is March", List.of(), true, false));
        call.clock.advance(Duration.ofMillis(800)); // 300 + 800 ms of silence: under the node's 1200
        call.drain();
        assertThat(llm.requests).isEmpty();

        call.stt(new SttEvent.Interim("third", List.of()));
        call.clock.advance(Duration.ofMillis(800)); // the wait was cancelled by the word: no end yet
        call.drain();
        assertThat(llm.requests).isEmpty();
        call.stt(new SttEvent.Final("third 1980", List.of(), true, false));
        call.clock.advance(Duration.ofMillis(899));
        call.drain();
        assertThat(llm.requests).isEmpty();
        call.clock.advance(Duration.ofMillis(1));
        call.drain();

        assertThat(llm.requests).singleElement().satisfies(r -> assertThat(r.history()).last()
                .isEqualTo(new ChatMessage.User("my date of birth is March third 1980")));
    }

    @Test
    void theSamePauseEndsTheTurnAtOnceInANodeWithoutPatience() throws InterruptedException {
        call.playAll();
        goTo("chat");
        int before = llm.requests.size();
        call.stt(new SttEvent.Final("what are your hours", List.of(), true, false));
        assertThat(llm.requests).hasSize(before + 1); // at once: no wait in this node
        assertThat(llm.requests.getLast().history()).last().isEqualTo(new ChatMessage.User("what are your hours"));
    }

    @Test
    void theWordGapFallbackWaitsForTheNodesUtteranceEnd() {
        call.playAll();
        call.stt(new SttEvent.Final("five five five", List.of(), false, false)); // noise kept speech_final away
        call.stt(new SttEvent.UtteranceEnd(1.0));
        call.clock.advance(Duration.ofMillis(1400)); // 1000 + 1400: under the node's 2500
        call.drain();
        assertThat(llm.requests).isEmpty();
        call.clock.advance(Duration.ofMillis(100));
        call.drain();
        assertThat(llm.requests).singleElement().satisfies(r -> assertThat(r.history()).last()
                .isEqualTo(new ChatMessage.User("five five five")));
    }

    @Test
    void anSttThatAppliesThresholdsItselfIsToldAtEachChangeAndNothingIsHeldHere() throws InterruptedException {
        assertThat(call.turnThresholds()).containsExactly(PATIENT); // the call starts in the patient node
        call.sttAppliesThresholds(true);
        call.playAll();
        goTo("chat");
        assertThat(call.turnThresholds()).containsExactly(PATIENT, TurnThresholds.NONE); // the flow's own again
        call.stt(new SttEvent.Final("let me give it again", List.of(), true, false)); // ends at once: no patience here
        llm.open().toolCallWith("c3", "goto_details", "{}");
        llm.open().done();
        call.awaitEvent(e -> e instanceof CallEvent.ToolFinished);
        if (llm.open() != null) {
            llm.open().text("Go ahead.");
            llm.open().done();
        }
        call.playAll();
        assertThat(call.turnThresholds()).containsExactly(PATIENT, TurnThresholds.NONE, PATIENT);

        int before = llm.requests.size();
        call.stt(new SttEvent.Final("April first", List.of(), true, false));
        assertThat(llm.requests).hasSize(before + 1); // the provider waited already: the turn ends at once
    }

    /** The caller gives a date; the LLM moves to {@code node} and says something there. */
    private void goTo(String node) throws InterruptedException {
        call.stt(new SttEvent.Final("March third 1980", List.of(), true, false));
        call.clock.advance(Duration.ofMillis(900));
        call.drain();
        llm.open().toolCallWith("c1", "goto_" + node, "{}");
        llm.open().done();
        call.awaitEvent(e -> e instanceof CallEvent.ToolFinished);
        if (llm.open() != null) {
            llm.open().text("Thank you.");
            llm.open().done();
        }
        call.playAll();
    }
}
