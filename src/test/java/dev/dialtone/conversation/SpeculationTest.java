package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.net.ProviderError;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.TtsEvent;

/**
 * Speculative replies ({@code turn.speculate}), on the manual clock. The timeline of a turn: the
 * caller's last sound at 0, the STT's likely end of turn (Flux EagerEndOfTurn) at 150 ms, its real
 * end of turn at 550 ms; the LLM's first token comes 300 ms after its request, the TTS's first
 * audio 200 ms after a segment.
 */
class SpeculationTest extends HarnessTestBase {
    private static final String ORDER = "I'd like a large pizza.";
    private static final String ANSWER = "Sure, one large pizza. ";
    private static final Duration EAGER = Duration.ofMillis(150);
    private static final Duration EAGER_TO_FINAL = Duration.ofMillis(400);
    private static final Duration LLM = Duration.ofMillis(300);
    private static final Duration TTS = Duration.ofMillis(200);

    @Override
    String flowBody() {
        return """
                turn: { speculate: true, min_interrupt_words: 2 }
                """;
    }

    @Test
    void aReplyStartedOnTheEagerEndOfTurnPlaysEarlierByTheEagerToFinalGap() {
        // turn 0 without an eager end of turn: the reply starts at the real end of turn
        call.callerSound();
        call.clock.advance(EAGER.plus(EAGER_TO_FINAL));
        stt(new SttEvent.Final("Hello there.", List.of(), true, false));
        var plain = replyArrives();
        assertThat(plain.firstSentNanos).isNotZero();
        llm.open().done();
        heard(plain);

        // turn 1: the same latencies, but the LLM starts on the eager end of turn
        call.callerSound();
        call.clock.advance(EAGER);
        stt(new SttEvent.EagerEndOfTurn(ORDER, List.of()));
        assertThat(llm.requests).hasSize(2);
        assertThat(llm.requests.getLast().history()).as("the turn as it would be asked at its end")
                .endsWith(new ChatMessage.User(ORDER));
        assertThat(call.conversation.history()).as("nothing of the turn is history yet").hasSize(2);
        call.clock.advance(LLM);
        llm.open().text(ANSWER);
        var early = call.voice.unsent().getFirst();
        call.clock.advance(EAGER_TO_FINAL.minus(LLM));
        stt(new SttEvent.Final(ORDER, List.of(), true, false));
        call.clock.advance(LLM.plus(TTS).minus(EAGER_TO_FINAL));
        audio(early);
        llm.open().done();
        heard(early);

        var turns = call.transcript.turns();
        long without = turns.get(0).firstAudioMs().orElseThrow();
        long with = turns.get(1).firstAudioMs().orElseThrow();
        assertThat(without).isEqualTo(EAGER_TO_FINAL.plus(EAGER).plus(LLM).plus(TTS).toMillis());
        assertThat(without - with).as("the reply is heard sooner by the eager-to-final gap").isEqualTo(EAGER_TO_FINAL.toMillis());
        assertThat(turns.get(1).speculations()).extracting(Turn.Speculated::outcome).containsExactly(Turn.SpeculationOutcome.USED);
        assertThat(turns.get(1).speculations().getFirst().startedMs()).isEqualTo(EAGER.toMillis());
        assertThat(turns.get(1).speculations().getFirst().settledMs()).isEqualTo(EAGER.plus(EAGER_TO_FINAL).toMillis());
        assertThat(turns.get(1).llmFirstTokenMs()).as("the first token came before the turn ended").contains(450L);
        assertThat(call.conversation.history()).containsExactly(
                new ChatMessage.User("Hello there."), new ChatMessage.Assistant(ANSWER, List.of()),
                new ChatMessage.User(ORDER), new ChatMessage.Assistant(ANSWER, List.of()));
        assertThat(llm.requests).as("one request per turn").hasSize(2);
        assertThat(outcomes("used")).isEqualTo(1);
    }

    @Test
    void audioReadyBeforeTheTurnEndsIsHeldUntilItEnds() {
        call.callerSound();
        call.clock.advance(EAGER);
        stt(new SttEvent.EagerEndOfTurn(ORDER, List.of()));
        call.clock.advance(Duration.ofMillis(100));
        llm.open().text(ANSWER);
        var segment = call.voice.unsent().getFirst();
        call.clock.advance(Duration.ofMillis(100));
        audio(segment);
        llm.open().done();

        assertThat(segment.firstSentNanos).as("nothing goes to the line before the turn ends").isZero();
        assertThat(call.voice.held).containsExactly(segment);
        assertThat(call.conversation.history()).as("the answer waits for the turn").isEmpty();
        call.clock.advance(Duration.ofMillis(200));
        long end = call.clock.nanos();
        stt(new SttEvent.Final("i'd like a LARGE pizza", List.of(), true, false));

        assertThat(segment.firstSentNanos).as("played the moment the turn ended").isEqualTo(end);
        heard(segment);
        var turn = call.transcript.turns().getFirst();
        assertThat(turn.firstAudioMs()).contains(EAGER.plus(Duration.ofMillis(400)).toMillis());
        assertThat(turn.ttsFirstAudioMs()).as("when the audio was ready").contains(350L);
        assertThat(call.conversation.history()).containsExactly(new ChatMessage.User("i'd like a LARGE pizza"),
                                                                 new ChatMessage.Assistant(ANSWER, List.of()));
    }

    @Test
    void turnResumedCancelsThePreparedReplyAndLeavesNoTrace() {
        call.callerSound();
        call.clock.advance(EAGER);
        stt(new SttEvent.EagerEndOfTurn(ORDER, List.of()));
        var speculative = llm.open();
        speculative.text(ANSWER);
        var segment = call.voice.unsent().getFirst();
        audio(segment);

        stt(new SttEvent.TurnResumed());

        assertThat(speculative.cancelled).as("the LLM stream is cancelled").isTrue();
        assertThat(call.voice.interruptions).as("the held audio is forgotten").isEqualTo(1);
        assertThat(call.voice.held).isEmpty();
        assertThat(segment.firstSentNanos).as("nothing was played").isZero();
        assertThat(call.conversation.history()).isEmpty();
        assertThat(call.conversation.busy()).isFalse();
        assertThat(outcomes("resumed")).isEqualTo(1);

        call.clock.advance(Duration.ofMillis(900));
        stt(new SttEvent.Final("I'd like a large pizza with olives.", List.of(), true, false));
        assertThat(llm.requests).hasSize(2);
        assertThat(llm.requests.getLast().history()).containsExactly(new ChatMessage.User("I'd like a large pizza with olives."));
        llm.open().text("Olives it is. ");
        audio(call.voice.unsent().getFirst());
        llm.open().done();
        heard(call.voice.unechoed().getFirst());
        var turn = call.transcript.turns().getFirst();
        assertThat(turn.agentText()).isEqualTo("Olives it is.");
        assertThat(turn.speculations()).extracting(Turn.Speculated::outcome).containsExactly(Turn.SpeculationOutcome.RESUMED);
        assertThat(turn.speculations().getFirst().settledMs()).as("settled before the caller went on").isEqualTo(EAGER.toMillis());
        assertThat(call.voice.said).containsExactly(ANSWER.strip(), "Olives it is.");
        assertThat(call.conversation.history()).containsExactly(new ChatMessage.User("I'd like a large pizza with olives."),
                                                                 new ChatMessage.Assistant("Olives it is. ", List.of()));
    }

    @Test
    void newWordsInAnInterimTranscriptCancelItToo() {
        stt(new SttEvent.EagerEndOfTurn(ORDER, List.of()));
        var speculative = llm.open();

        stt(new SttEvent.Interim("I'd like a large pizza.", List.of()));
        assertThat(speculative.cancelled).as("the same words: still the likely end").isFalse();
        stt(new SttEvent.Interim("with", List.of()));

        assertThat(speculative.cancelled).isTrue();
        assertThat(outcomes("resumed")).isEqualTo(1);
    }

    @Test
    void aChangedTranscriptAtTheEndOfTurnIsAnsweredAfresh() {
        stt(new SttEvent.EagerEndOfTurn(ORDER, List.of()));
        var speculative = llm.open();
        speculative.text(ANSWER);
        speculative.done();

        stt(new SttEvent.Final("I'd like a large piece.", List.of(), true, false));

        assertThat(speculative.cancelled || speculative.ended).isTrue();
        assertThat(llm.requests).hasSize(2);
        assertThat(llm.requests.getLast().history()).containsExactly(new ChatMessage.User("I'd like a large piece."));
        assertThat(llm.open()).as("the fresh request streams").isNotNull().isNotSameAs(speculative);
        assertThat(call.conversation.history()).containsExactly(new ChatMessage.User("I'd like a large piece."));
        llm.open().text("A slice? ");
        llm.open().done();
        assertThat(call.voice.said).containsExactly(ANSWER.strip(), "A slice?");
        assertThat(call.voice.spoken).extracting(s -> s.text).as("only the fresh answer can play").containsExactly("A slice?");
        assertThat(call.conversation.history()).containsExactly(new ChatMessage.User("I'd like a large piece."),
                                                                 new ChatMessage.Assistant("A slice? ", List.of()));
        assertThat(call.transcript.turns().getFirst().speculations()).extracting(Turn.Speculated::outcome)
                                                                   .containsExactly(Turn.SpeculationOutcome.DISCARDED);
        assertThat(outcomes("discarded")).isEqualTo(1);
    }

    @Test
    void aToolTheSpeculativeReplyAsksForRunsOnlyOnceTheTurnHasEnded() throws InterruptedException {
        stt(new SttEvent.EagerEndOfTurn("Is there a table at eight?", List.of()));
        var speculative = llm.open();
        speculative.toolCall("c1", "lookup", "t8");
        speculative.done();

        assertThat(call.conversation.history()).as("no tool call made, none to answer").isEmpty();
        assertThat(call.transcript.turns()).isEmpty();

        call.clock.advance(EAGER_TO_FINAL);
        stt(new SttEvent.Final("Is there a table at eight?", List.of(), true, false));
        assertThat(call.conversation.history()).containsExactly(new ChatMessage.User("Is there a table at eight?"),
                new ChatMessage.Assistant("", List.of(new ToolCall("c1", "lookup", "{\"key\":\"t8\"}"))));
        call.finishTool("t8");

        assertThat(llm.requests).as("the round after the tool").hasSize(2);
        assertThat(llm.requests.getLast().history().getLast()).isInstanceOf(ChatMessage.ToolResult.class);
        assertThat(call.transcript.turns().getFirst().tools()).extracting(Turn.ToolUse::name).containsExactly("lookup");
    }

    @Test
    void aToolRequestedForWordsTheCallerWentOnFromIsNeverRun() {
        stt(new SttEvent.EagerEndOfTurn("Book it.", List.of()));
        var speculative = llm.open();
        speculative.toolCall("c1", "book", "b1");
        speculative.done();

        stt(new SttEvent.TurnResumed());
        stt(new SttEvent.Final("Book it. Actually, no.", List.of(), true, false));

        assertThat(flow.started("b1")).isFalse();
        assertThat(call.conversation.history()).containsExactly(new ChatMessage.User("Book it. Actually, no."));
    }

    @Test
    void callerSoundOverTheHeldReplyPlaysNothingAndWordsThatMatchStillUseIt() {
        call.callerSound();
        stt(new SttEvent.EagerEndOfTurn(ORDER, List.of()));
        llm.open().text(ANSWER);
        var segment = call.voice.unsent().getFirst();
        audio(segment);

        call.handle(new CallEvent.CallerVoice(call.clock.nanos())); // a breath, a cough: the VAD's onset
        stt(new SttEvent.SpeechStarted(1.2));

        assertThat(call.voice.pauses).as("nothing audible to pause").isZero();
        assertThat(segment.firstSentNanos).isZero();
        stt(new SttEvent.Final(ORDER, List.of(), true, false));
        assertThat(segment.firstSentNanos).isNotZero();
        assertThat(outcomes("used")).isEqualTo(1);
    }

    @Test
    void aCallerWhoBargesInIsAnsweredFromTheirLikelyEndOfTurnWithOnlyTheHeardPartInTheHistory() {
        stt(new SttEvent.Final("What pizzas do you have?", List.of(), true, false));
        llm.open().text("We have margherita, pepperoni and a four cheese pizza today. ");
        var first = call.voice.unsent().getFirst();
        audio(first);
        call.clock.advance(Duration.ofMillis(1200)); // "We have margherita," heard
        call.handle(new CallEvent.CallerVoice(call.clock.nanos()));
        call.callerSound();

        stt(new SttEvent.EagerEndOfTurn("A margherita please", List.of()));
        assertThat(llm.requests).as("no speculation while the interrupted reply is held").hasSize(1);
        stt(new SttEvent.Interim("A margherita please", List.of()));
        assertThat(call.voice.interruptions).as("the words committed the barge-in").isEqualTo(1);
        call.clock.advance(Duration.ofMillis(150));
        stt(new SttEvent.EagerEndOfTurn("A margherita please", List.of()));
        assertThat(llm.requests).hasSize(2);
        llm.open().text("One margherita. ");
        call.clock.advance(Duration.ofMillis(300));
        stt(new SttEvent.Final("A margherita please.", List.of(), true, false));
        audio(call.voice.unsent().getFirst());
        llm.open().done();

        assertThat(call.conversation.history()).containsExactly(
                new ChatMessage.User("What pizzas do you have?"), new ChatMessage.Assistant("We have margherita,", List.of()),
                new ChatMessage.User("A margherita please."), new ChatMessage.Assistant("One margherita. ", List.of()));
        assertThat(call.transcript.turns().get(1).speculations()).extracting(Turn.Speculated::outcome)
                                                                 .containsExactly(Turn.SpeculationOutcome.USED);
    }

    @Test
    void withoutFluxAFinalTranscriptAndLocalSilenceStartTheReply() {
        call.callerSound();
        stt(new SttEvent.Final(ORDER, List.of(), false, false));
        call.clock.advance(Duration.ofMillis(100));
        call.callerSound(); // the caller's sound still trails off
        call.clock.advance(Speculation.QUIET.minusMillis(50));
        call.drain();
        assertThat(llm.requests).as("not yet quiet long enough").isEmpty();

        call.clock.advance(Duration.ofMillis(60));
        call.drain();
        assertThat(llm.requests).hasSize(1);
        assertThat(llm.requests.getFirst().history()).containsExactly(new ChatMessage.User(ORDER));

        call.clock.advance(Duration.ofMillis(300));
        stt(new SttEvent.Final("", List.of(), true, false)); // Deepgram's speech_final after its endpointing
        assertThat(llm.requests).as("the prepared reply answers the turn").hasSize(1);
        assertThat(call.conversation.history()).containsExactly(new ChatMessage.User(ORDER));
    }

    @Test
    void aSynthesisFailureOfTheHeldReplyDropsItAndTheTurnIsAnsweredAfresh() {
        stt(new SttEvent.EagerEndOfTurn(ORDER, List.of()));
        var speculative = llm.open();
        speculative.text(ANSWER);
        var segment = call.voice.unsent().getFirst();
        segment.failed = true; // as the voice marks a segment whose synthesis failed
        call.handle(new CallEvent.Tts(1, new TtsEvent.Failed(OptionalLong.of(segment.id),
                new ProviderError(ProviderError.Kind.SERVER, "tts", "boom", false)), call.clock.nanos()));

        assertThat(speculative.cancelled).isTrue();
        stt(new SttEvent.Final(ORDER, List.of(), true, false));
        assertThat(llm.requests).hasSize(2);
        assertThat(outcomes("discarded")).isEqualTo(1);
    }

    @Test
    void transcriptsAreComparedWithoutCaseOrPunctuation() {
        assertThat(Speculation.same("I'd like a LARGE pizza!", "i'd like a large  pizza")).isTrue();
        assertThat(Speculation.same("a large pizza", "a large piece")).isFalse();
    }

    /** A flow that does not ask for speculation ignores the STT's eager ends of turn. */
    @Nested
    class WithoutTheFlowOption extends HarnessTestBase {
        @Test
        void anEagerEndOfTurnStartsNothing() {
            stt(call, new SttEvent.EagerEndOfTurn(ORDER, List.of()));
            assertThat(llm.requests).isEmpty();

            stt(call, new SttEvent.Final(ORDER, List.of(), true, false));
            assertThat(llm.requests).hasSize(1);
            assertThat(call.transcript.turns().getFirst().speculations()).isEmpty();
        }
    }

    // ---- the timeline's steps

    /** The LLM's first token and the TTS's first audio come after their latencies; returns the segment. */
    private Segment replyArrives() {
        call.clock.advance(LLM);
        llm.open().text(ANSWER);
        var segment = call.voice.unsent().getFirst();
        call.clock.advance(TTS);
        audio(segment);
        return segment;
    }

    /** The TTS's first audio of {@code segment} arrives and goes to the line (unless the voice holds it). */
    private void audio(Segment segment) {
        call.voice.send(segment);
        call.handle(new CallEvent.Tts(1, new TtsEvent.Audio(segment.id, new byte[160]), call.clock.nanos()));
    }

    private void heard(Segment segment) {
        call.voice.echo(segment);
        call.drain();
    }

    private void stt(SttEvent event) {
        stt(call, event);
    }

    private static void stt(ConversationHarness call, SttEvent event) {
        call.handle(new CallEvent.Stt(1, event, call.clock.nanos()));
    }

    private double outcomes(String outcome) {
        var counter = call.meters.find("dialtone.turn.speculations").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}
