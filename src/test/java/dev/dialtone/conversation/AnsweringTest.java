package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The first moments of a call, event by event: an outbound call holds its greeting until Twilio's
 * answering-machine detection answers (a machine gets the voicemail message and a hang-up, a human
 * the greeting), a call screener's question gets the flow's screening line instead of the LLM,
 * and a recorded call says its consent line before the greeting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnsweringTest {
    static final String GREETING = "Hi, this is Luigi's calling about your order.";
    static final String VOICEMAIL = "Hi, this is Luigi's. Your order is ready. Call us back on 555 0100.";
    static final String SCREENING = "This is Luigi's Pizzeria calling about an order you placed.";
    static final String CONSENT = "This call may be recorded for quality.";

    private HarnessFlow flow;
    private ScriptedChatModel llm;
    private ConversationHarness call;

    @BeforeAll
    void loadFlow() throws Exception {
        flow = new HarnessFlow(Files.createTempDirectory("answering-flow"), "openai", """
                greeting: "%s"
                voicemail: { say: "%s", then: hangup }
                screening: "%s"
                recording: { enabled: true, channels: dual, consent: "%s" }
                """.formatted(GREETING, VOICEMAIL, SCREENING, CONSENT));
    }

    @AfterAll
    void closeFlow() {
        flow.close();
    }

    @AfterEach
    void endCall() {
        call.close();
    }

    private void startCall(boolean outbound) {
        flow.reset();
        llm = new ScriptedChatModel();
        call = new ConversationHarness(flow, llm);
        llm.afterEvent(call::drain);
        call.conversation.recorded();
        if (outbound) {
            call.conversation.awaitAnswer();
        }
        call.start();
    }

    @Test
    void anOutboundCallSaysNothingUntilAHumanIsKnownToHaveAnswered() {
        startCall(true);
        assertThat(call.voice.said).isEmpty();

        call.handle(new CallEvent.AnsweredBy("human"));
        assertThat(call.voice.said).containsExactly(CONSENT);
        playAll();
        assertThat(call.voice.said).containsExactly(CONSENT, GREETING);
        assertThat(call.lineActions()).isEmpty();
        assertThat(call.transcript.notes()).anySatisfy(n -> assertThat(n.detail()).isEqualTo("human"));
    }

    @Test
    void aMachineHearsTheVoicemailMessageAfterItsBeepAndTheCallHangsUp() {
        startCall(true);
        call.handle(new CallEvent.AnsweredBy("machine_start")); // not with DetectMessageEnd, but it would not decide
        assertThat(call.voice.said).isEmpty();

        call.handle(new CallEvent.AnsweredBy("machine_end_beep"));
        assertThat(call.voice.said).containsExactly(VOICEMAIL);
        assertThat(call.lineActions()).isEmpty(); // not before the message has played
        playAll();

        assertThat(call.lineActions()).containsExactly("hangup");
        assertThat(call.voice.said).doesNotContain(GREETING);
        assertThat(llm.requests).isEmpty();
    }

    @Test
    void withoutAnyAnswerFromDetectionTheGreetingComesAfterTheLongestWait() {
        startCall(true);
        call.clock.advance(Opening.ANSWER_WAIT.minusSeconds(1));
        call.drain();
        assertThat(call.voice.said).isEmpty();

        call.clock.advance(Duration.ofSeconds(1));
        call.drain();
        playAll();
        assertThat(call.voice.said).containsExactly(CONSENT, GREETING);
        assertThat(call.transcript.notes()).anySatisfy(n -> assertThat(n.detail()).isEqualTo(Opening.NO_ANSWER));
    }

    @Test
    void aSecondAnswerChangesNothing() {
        startCall(true);
        call.handle(new CallEvent.AnsweredBy("human"));
        playAll();
        call.handle(new CallEvent.AnsweredBy("machine_end_silence"));
        playAll();
        assertThat(call.voice.said).containsExactly(CONSENT, GREETING);
        assertThat(call.lineActions()).isEmpty();
    }

    @Test
    void anInboundCallIgnoresAnsweringMachineDetectionAndGreetsAtOnce() {
        startCall(false);
        assertThat(call.voice.said).containsExactly(CONSENT);
        call.handle(new CallEvent.AnsweredBy("machine_end_beep"));
        playAll();
        assertThat(call.voice.said).containsExactly(CONSENT, GREETING);
        assertThat(call.lineActions()).isEmpty();
    }

    @Test
    void aCallScreenerIsAnsweredWithTheScreeningLineNotTheLlm() {
        startCall(true);
        // the screener speaks before detection has decided: it is answered all the same
        call.callerSays("Hi, the person you're calling is using a screening service. Please say your name and why you're calling.");
        assertThat(llm.requests).isEmpty();
        assertThat(call.voice.said).containsExactly(SCREENING);
        playAll();
        assertThat(call.transcript.turns().getLast().agentText()).isEqualTo(SCREENING);
        assertThat(call.transcript.turns().getLast().callerText()).contains("screening service");
        call.callerSays("Do you deliver on Sundays?");
        assertThat(llm.requests).hasSize(1);
    }

    @Test
    void screeningQuestionsAreRecognisedAndOrdinaryTurnsAreNot() {
        assertThat(Screening.asks("Who's calling, please?")).isTrue();
        assertThat(Screening.asks("Please state your name and the reason for your call.")).isTrue();
        assertThat(Screening.asks("What is this regarding?")).isTrue();
        assertThat(Screening.asks("Hello?")).isFalse();
        assertThat(Screening.asks("I'd like to order a large pizza.")).isFalse();
        assertThat(Screening.asks("x ".repeat(300) + "who is calling")).as("too long for a screener").isFalse();
    }

    private void playAll() {
        for (int round = 0; round < 3; round++) { // a reply may start the next (the greeting after the consent)
            List<Segment> unsent = call.voice.unsent();
            for (var segment : unsent) {
                call.voice.send(segment);
            }
            for (var segment : call.voice.unechoed()) {
                call.voice.echo(segment);
            }
            call.drain();
        }
    }
}
