package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dialtone.llm.ChatMessage;
import dev.dialtone.speech.SttEvent;

/**
 * Barge-in in two steps, on the manual clock: the first sign of caller speech stops the line at
 * once and holds the reply; words or sustained speech then commit the interruption, and a
 * backchannel, a cough or noise lets the reply play on from the word where it stopped, with the
 * LLM stream never cancelled.
 */
class BargeInPauseTest extends HarnessTestBase {
    private static final String REPLY = "We have margherita, pepperoni and a four cheese pizza today.";

    @Override
    String flowBody() {
        return """
                turn: { min_interrupt_words: 2, silence_reprompt_s: 8 }
                """;
    }

    @Test
    void aVoiceOnsetPausesTheLineAtOnceWithoutCancellingTheLlm() {
        var segment = agentIsSpeaking();
        call.clock.advance(Duration.ofMillis(600));

        call.handle(new CallEvent.CallerVoice(call.clock.nanos()));

        assertThat(call.voice.pauses).isEqualTo(1);
        assertThat(call.voice.interruptions).isZero();
        assertThat(llm.open()).as("the LLM stream goes on").isNotNull();
        assertThat(segment.mark).as("its old mark is void: Twilio echoes marks on clear").isNotEqualTo("seg-" + segment.id);
        assertThat(call.conversation.busy()).as("the reply is held, not over").isTrue();
        assertThat(call.transcript.turns().getFirst().interrupted()).isFalse();
    }

    @Test
    void aBackchannelResumesFromWhereTheLineStoppedWithin300msOfSilence() {
        var segment = agentIsSpeaking();
        call.clock.advance(Duration.ofMillis(600));
        call.handle(new CallEvent.CallerVoice(call.clock.nanos()));
        call.callerSound();
        call.clock.advance(Duration.ofMillis(200));
        call.callerSound(); // "uh-huh" lasts 200 ms
        stt(new SttEvent.Interim("uh-huh", List.of()));
        call.drain();
        assertThat(call.voice.resumes).isEmpty();

        call.clock.advance(Duration.ofMillis(300));
        call.drain();

        // 600 ms of 60 ms-per-character audio had played: 80 bytes a 10 ms, 4800 bytes
        assertThat(call.voice.resumes).containsExactly(REPLY + "@4800");
        assertThat(segment.resumedFromBytes).isEqualTo(4800);
        stt(new SttEvent.Final("Uh-huh.", List.of(), true, false));
        llm.open().done();
        call.voice.echo(segment);
        call.drain();

        var turn = call.transcript.turns().getFirst();
        assertThat(turn.interrupted()).isFalse();
        assertThat(turn.agentText()).isEqualTo(REPLY);
        assertThat(turn.bargeIns()).extracting(Turn.BargeIn::step)
                                   .containsExactly(Turn.BargeInStep.PAUSED, Turn.BargeInStep.RESUMED);
        assertThat(turn.bargeIns().getFirst().msIntoReply()).isEqualTo(600);
        assertThat(call.conversation.history()).containsExactly(new ChatMessage.User("What pizzas do you have?"),
                                                                 new ChatMessage.Assistant(REPLY + " ", List.of())); // as the model wrote it
        assertThat(llm.requests).as("the backchannel was no turn").hasSize(1);
    }

    @Test
    void anEchoOfTheOldMarkDuringThePauseDoesNotCountAsHeard() {
        var segment = agentIsSpeaking();
        String oldMark = segment.mark;
        call.handle(new CallEvent.CallerVoice(call.clock.nanos()));

        call.handle(new CallEvent.MarkEchoed(oldMark, call.clock.nanos()));

        assertThat(segment.played()).isFalse();
    }

    @Test
    void wordsCommitTheInterruptionAndTheHistoryHoldsWhatWasHeardAtThePause() {
        agentIsSpeaking();
        call.clock.advance(Duration.ofMillis(1200)); // 20 of the reply's 61 characters
        call.handle(new CallEvent.CallerVoice(call.clock.nanos()));
        call.clock.advance(Duration.ofMillis(250));
        call.callerSound();

        stt(new SttEvent.Interim("no wait", List.of()));
        call.clock.advance(Duration.ofMillis(2000));
        call.drain();

        assertThat(call.voice.interruptions).isEqualTo(1);
        assertThat(call.voice.resumes).isEmpty();
        assertThat(llm.open()).as("the LLM stream was cancelled").isNull();
        var turn = call.transcript.turns().getFirst();
        assertThat(turn.interrupted()).isTrue();
        assertThat(turn.agentText()).isEqualTo("We have margherita,");
        assertThat(turn.bargeInToClearMs()).contains(0L);
        assertThat(turn.bargeIns()).extracting(Turn.BargeIn::step)
                                   .containsExactly(Turn.BargeInStep.PAUSED, Turn.BargeInStep.COMMITTED);
        assertThat(call.conversation.history().getLast()).isEqualTo(new ChatMessage.Assistant("We have margherita,", List.of()));
    }

    @Test
    void sustainedSpeechCommitsWithoutWaitingForWords() {
        agentIsSpeaking();
        long onset = call.clock.nanos();
        call.handle(new CallEvent.CallerVoice(onset));
        call.clock.advance(Duration.ofMillis(800));

        call.handle(new CallEvent.CallerSpeaking(onset, call.clock.nanos()));

        assertThat(call.voice.interruptions).isEqualTo(1);
        assertThat(call.transcript.turns().getFirst().interrupted()).isTrue();
    }

    @Test
    void aCallerWhoKeepsMakingSoundForTwoSecondsHasInterrupted() {
        agentIsSpeaking();
        call.handle(new CallEvent.CallerVoice(call.clock.nanos()));
        for (int i = 0; i < 21; i++) {
            call.callerSound();
            call.clock.advance(Duration.ofMillis(100));
            call.drain();
        }

        assertThat(call.voice.resumes).isEmpty();
        assertThat(call.voice.interruptions).isEqualTo(1);
    }

    @Test
    void theSttSpeechStartPausesTooAndSilenceResumes() {
        agentIsSpeaking();

        stt(new SttEvent.SpeechStarted(0.5));
        assertThat(call.voice.pauses).isEqualTo(1);
        call.clock.advance(Duration.ofMillis(300));
        call.drain();

        assertThat(call.voice.resumes).hasSize(1);
        assertThat(call.voice.interruptions).isZero();
        assertThat(llm.open()).isNotNull();
    }

    @Test
    void onsetsPauseOnlyWhileTheAgentIsAudible() {
        call.callerSays("What pizzas do you have?");
        llm.open().text(REPLY + " ");
        assertThat(call.watched()).as("nothing on the line yet").isFalse();

        call.handle(new CallEvent.CallerVoice(call.clock.nanos()));
        assertThat(call.voice.pauses).isZero();

        call.voice.send(call.voice.unsent().getFirst());
        call.drain();
        call.handle(new CallEvent.CallerVoice(call.clock.nanos()));
        assertThat(call.voice.pauses).isEqualTo(1);
        assertThat(call.watched()).as("the model keeps judging while paused").isTrue();
    }

    private Segment agentIsSpeaking() {
        call.callerSays("What pizzas do you have?");
        llm.open().text(REPLY + " ");
        var segment = call.voice.unsent().getFirst();
        call.voice.send(segment);
        call.drain();
        return segment;
    }

    private void stt(SttEvent event) {
        call.handle(new CallEvent.Stt(1, event, call.clock.nanos()));
    }
}
