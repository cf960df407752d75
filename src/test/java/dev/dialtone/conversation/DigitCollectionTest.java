package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dialtone.llm.ChatMessage;
import dev.dialtone.speech.SttEvent;

/**
 * A node that collects digits, and the collect_digits tool, on a manual clock: keys and spoken
 * digits go to the call's state; the LLM and the record see only the masked value; time-outs ask
 * again and then give up; talk ends the collection; with redact on, the record masks card and social
 * security numbers the caller says while the LLM still hears them.
 */
class DigitCollectionTest extends HarnessTestBase {
    private static final String PROMPT = "Please key in your account number, then press hash.";
    private static final String REPROMPT = "Sorry, I didn't get that. Key in your account number again.";

    @Override
    String flowBody() {
        return """
                redact: true
                start: welcome
                nodes:
                  welcome:
                    say: Welcome to the bank.
                    prompt: "The caller's account: {{state.account_number}}."
                    tools: [collect_digits]
                    collect: { digits: "4-10", finish_on: "#", timeout_s: 5, into: account_number, mask: true,
                               prompt: "%s", reprompt: "%s", attempts: 2 }
                """.formatted(PROMPT, REPROMPT);
    }

    @Test
    void keysEndedByTheFinishKeyGoToTheStateAndOnlyTheirLastFourToTheLlmAndTheRecord() {
        assertThat(call.voice.said).containsExactly("Welcome to the bank. " + PROMPT);
        playAll();

        keys("12345678#");

        assertThat(call.conversation.state().get("account_number")).contains("12345678");
        assertThat(llm.requests).singleElement().satisfies(r -> {
            assertThat(r.history()).last().isEqualTo(new ChatMessage.User("(The caller entered account_number: ****5678.)"));
            assertThat(r.systemPrompt()).contains("The caller's account: ****5678.").doesNotContain("12345678");
        });
        assertThat(call.transcript.notes()).anySatisfy(n -> assertThat(n.detail()).isEqualTo("collect account_number ****5678"));
        assertThat(record()).doesNotContain("12345678").doesNotContain("1234567");
    }

    @Test
    void theMostDigitsEndTheCollectionWithoutTheFinishKey() {
        playAll();
        keys("0123456789");
        assertThat(call.conversation.state().get("account_number")).contains("0123456789");
        assertThat(llm.requests).hasSize(1);
    }

    @Test
    void theFinishKeyAfterTheMostDigitsOnlyFinishesWhatWasComplete() {
        playAll();
        keys("0123456789#"); // ten digits, then hash as the prompt asked
        assertThat(call.conversation.state().get("account_number")).contains("0123456789");
        llm.open().text("Thanks.");
        llm.open().done();
        playAll();
        call.clock.advance(Duration.ofSeconds(1));
        call.drain();
        assertThat(llm.requests).as("the hash is not a keyed turn of its own").hasSize(1);
        call.clock.advance(Duration.ofSeconds(6)); // past the collection's time-out: a hash is a key again
        keys("#");
        call.clock.advance(Duration.ofSeconds(3));
        call.drain();
        assertThat(llm.requests).hasSize(2);
    }

    @Test
    void tooFewDigitsAreAskedForAgainThenTheAgentGoesOnWithout() {
        playAll();
        keys("12");
        assertThat(llm.requests).isEmpty();

        call.clock.advance(Duration.ofSeconds(5));
        call.drain();
        assertThat(call.voice.said).last().isEqualTo(REPROMPT);
        playAll();
        keys("1#"); // still too few: the second and last attempt is used up
        assertThat(call.conversation.state().get("account_number")).isEmpty();

        assertThat(llm.requests).singleElement().satisfies(r -> assertThat(r.history()).last().isEqualTo(new ChatMessage.User("(The caller did not enter account_number.)")));
        assertThat(call.voice.said).doesNotContain(Phrases.ENGLISH.reprompt()); // no silence re-prompt meanwhile
    }

    @Test
    void noKeyAtAllTimesOutFromTheEndOfThePromptNotItsStart() {
        call.clock.advance(Duration.ofSeconds(20)); // the prompt is still playing: no time-out runs yet
        call.drain();
        assertThat(call.voice.said).hasSize(1);
        playAll();
        call.clock.advance(Duration.ofMillis(4900));
        call.drain();
        assertThat(call.voice.said).hasSize(1);
        call.clock.advance(Duration.ofMillis(200));
        call.drain();
        assertThat(call.voice.said).last().isEqualTo(REPROMPT);
    }

    @Test
    void spokenDigitsAreCollectedAndNeverBecomeATurn() {
        playAll();
        stt(new SttEvent.Final("four four one two", List.of(), false, false));
        stt(new SttEvent.Final("three, double three", List.of(), true, false));

        assertThat(call.conversation.state().get("account_number")).contains("4412333");
        assertThat(llm.requests).singleElement().satisfies(r -> assertThat(r.history()).last().isEqualTo(new ChatMessage.User("(The caller entered account_number: ****2333.)")));
        assertThat(record()).doesNotContain("four").doesNotContain("4412333");
    }

    @Test
    void talkInsteadOfDigitsEndsTheCollectionAndIsAnsweredAsATurn() {
        playAll();
        call.callerSays("I don't know my account number");
        assertThat(llm.requests).singleElement().satisfies(r -> assertThat(r.history()).last().isEqualTo(new ChatMessage.User("I don't know my account number")));

        llm.open().text("No problem.");
        llm.open().done();
        playAll();
        call.handle(new CallEvent.Digit("5")); // no longer collecting: an ordinary keyed turn
        call.clock.advance(Conversation.DIGIT_GAP);
        call.drain();
        assertThat(llm.requests).hasSize(2);
        assertThat(call.conversation.state().get("account_number")).isEmpty();
    }

    @Test
    void aKeyStopsThePrompt() {
        call.voice.send(call.voice.unsent().getFirst());
        call.handle(new CallEvent.Digit("9"));
        assertThat(call.voice.interruptions).isEqualTo(1);
        keys("999#");
        assertThat(call.conversation.state().get("account_number")).contains("9999");
    }

    @Test
    void theToolCollectsMaskedDigitsAfterSayingItsPrompt() throws Exception {
        playAll();
        keys("55554444#");
        llm.open().toolCallWith("call_c", "collect_digits",
                "{\"into\":\"member_id\",\"min_digits\":6,\"max_digits\":6,\"prompt\":\"Key in your six digit member number.\"}");
        llm.open().done();
        call.awaitEvent(e -> e instanceof CallEvent.ToolFinished);
        assertThat(call.voice.said).last().isEqualTo("Key in your six digit member number.");
        playAll();

        keys("246810");

        assertThat(call.conversation.state().get("member_id")).contains("246810");
        assertThat(llm.requests).hasSize(2); // the prompt ended the tool's round: no LLM request until the digits came
        assertThat(llm.requests.getLast().history()).last()
                .isEqualTo(new ChatMessage.User("(The caller entered member_id: ****6810.)"));
        assertThat(record()).doesNotContain("246810");
    }

    @Test
    void theToolRefusesArgumentsOutOfBounds() throws Exception {
        playAll();
        keys("55554444#");
        llm.open().toolCallWith("call_c", "collect_digits", "{\"into\":\"x y\",\"min_digits\":6,\"max_digits\":99}");
        llm.open().done();
        var done = (CallEvent.ToolFinished) call.awaitEvent(e -> e instanceof CallEvent.ToolFinished);
        assertThat(done.outcome().forModel()).contains("into must be");
        assertThat(llm.requests).hasSize(2); // the LLM hears the refusal and goes on
    }

    @Test
    void withRedactOnTheRecordMasksCardAndSocialSecurityNumbersButTheLlmHearsThem() {
        playAll();
        call.callerSays("I don't have it");
        llm.open().text("Okay.");
        llm.open().done();
        playAll();

        call.callerSays("My card is 4111 1111 1111 1111 and my social is 123-45-6789, born 1990-04-01");

        assertThat(llm.requests.getLast().history()).last().isEqualTo(
                new ChatMessage.User("My card is 4111 1111 1111 1111 and my social is 123-45-6789, born 1990-04-01"));
        assertThat(call.transcript.turns()).last().satisfies(t -> assertThat(t.callerText())
                .isEqualTo("My card is ****1111 and my social is ***-**-6789, born 1990-04-01"));
    }

    private void keys(String keys) {
        for (var key : keys.split("")) {
            call.handle(new CallEvent.Digit(key));
            call.clock.advance(Duration.ofMillis(300));
            call.drain();
        }
    }

    /** Everything the call's record holds: turns, tools and notes. */
    private String record() {
        return call.transcript.turns() + " " + call.transcript.notes();
    }

    private void playAll() {
        for (var segment : call.voice.unsent()) {
            call.voice.send(segment);
        }
        for (var segment : call.voice.unechoed()) {
            call.voice.echo(segment);
        }
        call.drain();
    }

    private void stt(SttEvent event) {
        call.handle(new CallEvent.Stt(1, event, call.clock.nanos()));
    }
}
