package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dialtone.llm.ChatMessage;
import dev.dialtone.net.ProviderError;
import dev.dialtone.speech.SttEvent;

/**
 * How the agent takes turns, event by event on a manual clock, without sockets: what interrupts
 * it and what does not, what the caller hears when a provider is slow or fails, tool rounds and
 * their filler, DTMF routes. The same behaviour over real sockets is CallFlowTest's.
 */
class ConversationTest extends HarnessTestBase {
    @Override
    String flowBody() {
        return """
                turn: { min_interrupt_words: 2, silence_reprompt_s: 8 }
                dtmf: { "0": { transfer: "+15550009999" } }
                """;
    }

    @Test
    void finalsOfOneUtteranceBecomeOneTurnAtSpeechFinal() {
        call.stt(new SttEvent.Final("I'd like", List.of(), false, false));
        call.stt(new SttEvent.Final("a large pizza.", List.of(), false, false));
        assertThat(llm.requests).isEmpty();
        call.stt(new SttEvent.Final("", List.of(), true, false));

        assertThat(llm.requests).singleElement()
                .satisfies(r -> assertThat(r.history()).containsExactly(new ChatMessage.User("I'd like a large pizza.")));
    }

    @Test
    void aBackchannelWhileTheAgentSpeaksNeitherInterruptsNorBecomesATurn() {
        agentIsSpeaking("We have margherita, pepperoni and a four cheese pizza today.");

        call.stt(new SttEvent.Interim("uh-huh", List.of()));
        call.stt(new SttEvent.Final("Uh-huh.", List.of(), true, false));

        assertThat(call.voice.interruptions).isZero();
        assertThat(llm.requests).hasSize(1);
    }

    @Test
    void twoWordsThatAreNotABackchannelInterruptAtTheInterim() {
        agentIsSpeaking("We have margherita, pepperoni and a four cheese pizza today.");

        call.stt(new SttEvent.Interim("wait actually", List.of()));

        assertThat(call.voice.interruptions).isEqualTo(1);
        assertThat(llm.open()).isNull(); // the LLM stream was cancelled
        assertThat(call.transcript.turns().getFirst().interrupted()).isTrue();
    }

    @Test
    void sustainedCallerSpeechInterruptsBeforeAnyWords() {
        agentIsSpeaking("We have margherita, pepperoni and a four cheese pizza today.");

        call.handle(new CallEvent.CallerSpeaking(call.clock.nanos(), call.clock.nanos()));

        assertThat(call.voice.interruptions).isEqualTo(1);
    }

    @Test
    void aSlowLlmIsGivenUpWithAnApologyAfterTwoSecondsOfDeadAir() {
        call.callerSays("Do you deliver?");
        call.clock.advance(Speaking.DEAD_AIR.minusMillis(250));
        call.drain();
        assertThat(spoken()).isEmpty();

        call.clock.advance(Duration.ofMillis(300));
        call.drain();

        assertThat(spoken()).containsExactly(Phrases.ENGLISH.apology());
        assertThat(llm.requests).hasSize(1);
    }

    @Test
    void aSlowToolKeepsTheCallerCompanyInsteadOfGivingUp() throws Exception {
        call.callerSays("Is there a table at eight?");
        llm.open().toolCall("call_b", "book", "b");
        llm.open().done();
        call.clock.advance(Speaking.DEAD_AIR.plusMillis(300));
        call.drain();
        assertThat(spoken()).containsExactly(Phrases.ENGLISH.holdOn());

        call.finishTool("b");
        llm.open().text("Yes, eight works.");
        llm.open().done();

        assertThat(spoken()).containsExactly(Phrases.ENGLISH.holdOn(), "Yes, eight works.");
    }

    @Test
    void anLlmFailureMidTurnIsApologisedForAndTheNextTurnIsAnswered() {
        call.callerSays("Do you deliver?");
        llm.open().text("We deliver ");
        llm.open().fail(new ProviderError(ProviderError.Kind.SERVER, "openai", "overloaded", true));
        assertThat(spoken()).containsExactly(Phrases.ENGLISH.apology());
        call.playAll();

        call.callerSays("Do you deliver?");

        assertThat(llm.requests).hasSize(2);
        assertThat(llm.open()).isNotNull();
    }

    @Test
    void silenceIsRepromptedTwiceThenTheCallEndsWithAGoodbye() {
        for (int i = 0; i < 3; i++) {
            call.clock.advance(Duration.ofSeconds(8));
            call.drain();
            call.playAll();
        }
        assertThat(spoken()).containsExactly(Phrases.ENGLISH.reprompt(), Phrases.ENGLISH.reprompt(),
                                             Phrases.ENGLISH.goodbye());
        assertThat(call.lineActions()).containsExactly("hangup");
    }

    @Test
    void aDtmfRouteTransfersAfterSayingSo() {
        call.handle(new CallEvent.Digit("0"));
        assertThat(spoken()).containsExactly(Phrases.ENGLISH.transferring());
        call.playAll();
        assertThat(call.lineActions()).containsExactly("transfer +15550009999");
    }

    @Test
    void keysPressedInARowAreOneTurnOnceTheCallerStopsPressing() {
        for (var key : List.of("1", "2", "3", "4")) {
            call.handle(new CallEvent.Digit(key));
            call.clock.advance(Duration.ofMillis(400));
            call.drain();
        }
        assertThat(llm.requests).isEmpty();

        call.clock.advance(Conversation.DIGIT_GAP);
        call.drain();

        assertThat(llm.requests).singleElement().satisfies(r -> assertThat(r.history())
                .containsExactly(new ChatMessage.User("(The caller pressed 1234 on the keypad.)")));
    }

    @Test
    void aFloodOfKeysIsOneBoundedTurnAndNothingAfterTheStreamEnds() {
        for (int i = 0; i < 20_000; i++) {
            call.handle(new CallEvent.Digit(String.valueOf(i % 10)));
        }
        call.clock.advance(Conversation.DIGIT_GAP);
        call.drain();
        assertThat(llm.requests).singleElement().satisfies(r -> assertThat(((ChatMessage.User) r.history().getFirst()).text())
                .hasSizeLessThan(Conversation.MAX_DIGITS + 50));

        for (int i = 0; i < 1_000; i++) {
            call.handle(new CallEvent.Digit("7"));
        }
        call.handle(new CallEvent.StreamEnded("caller hung up"));
        call.clock.advance(Conversation.DIGIT_GAP);
        call.drain();
        assertThat(llm.requests).hasSize(1);
        assertThat(call.transcript.endReason()).contains("caller hung up");
    }

    @Test
    void anSttFailureReopensTheSttAndApologises() {
        call.stt(new SttEvent.Failed(new ProviderError(ProviderError.Kind.NETWORK, "deepgram", "connection refused", true)));
        assertThat(spoken()).containsExactly(Phrases.ENGLISH.apology());
    }

    @Test
    void anSttThatKeepsFailingIsReopenedAfterPausesThatDoubleNotInABusyLoopAndApologisedForOnce() {
        int atStart = call.sttReopens(); // the session the call opened
        var refused = new SttEvent.Failed(new ProviderError(ProviderError.Kind.PROTOCOL, "deepgram", "HTTP 404: not found", false));
        call.stt(refused);
        assertThat(call.sttReopens() - atStart).as("the first failure: at once").isEqualTo(1);
        call.stt(refused);
        assertThat(call.sttReopens() - atStart).as("the new session failed too: not at once").isEqualTo(1);
        call.clock.advance(Duration.ofMillis(499));
        call.drain();
        assertThat(call.sttReopens() - atStart).isEqualTo(1);
        call.clock.advance(Duration.ofMillis(1));
        call.drain();
        assertThat(call.sttReopens() - atStart).as("after half a second").isEqualTo(2);
        call.stt(refused);
        call.clock.advance(Duration.ofMillis(999));
        call.drain();
        assertThat(call.sttReopens() - atStart).isEqualTo(2);
        call.clock.advance(Duration.ofMillis(1));
        call.drain();
        assertThat(call.sttReopens() - atStart).as("then after a second").isEqualTo(3);

        int seen = call.sttReopens() - 1; // the session opened last has not failed yet
        for (int step = 0; step < 1200; step++) { // two minutes of a provider that refuses every new socket at once
            if (call.sttReopens() > seen) {
                seen = call.sttReopens();
                call.stt(refused);
            }
            call.clock.advance(Duration.ofMillis(100));
            call.drain();
        }
        assertThat(call.sttReopens() - atStart).as("at most one socket per 15 s once the pauses are long").isBetween(10, 20);
        assertThat(spoken()).as("one apology for the whole run").containsExactly(Phrases.ENGLISH.apology());

        call.stt(new SttEvent.Interim("hello", List.of())); // it works again
        int before = call.sttReopens();
        call.stt(refused);
        assertThat(call.sttReopens()).as("a new run of failures starts at once again").isEqualTo(before + 1);
    }

    /** A reply is on the line: the caller is hearing its first segment. */
    private void agentIsSpeaking(String text) {
        call.callerSays("What pizzas do you have?");
        llm.open().text(text + " "); // the space closes the sentence: it goes to the voice at once
        call.voice.send(call.voice.unsent().getFirst());
    }

    private List<String> spoken() {
        return call.voice.said;
    }
}
