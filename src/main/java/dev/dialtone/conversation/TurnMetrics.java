package dev.dialtone.conversation;

import java.time.Duration;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Per-turn latency histograms (Micrometer, exported at /observe/metrics): each stage measured from
 * the end of the caller's speech, plus barge-in (interruption detected -> clear sent).
 */
public final class TurnMetrics {
    private final Timer sttFinal;
    private final Timer llmFirstToken;
    private final Timer ttsFirstAudio;
    private final Timer response;
    private final Timer bargeIn;
    private final MeterRegistry registry;

    public TurnMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.sttFinal = timer("dialtone.turn.stt.final", "end of caller speech to the STT's end of turn");
        this.llmFirstToken = timer("dialtone.turn.llm.first.token", "end of caller speech to the LLM's first token");
        this.ttsFirstAudio = timer("dialtone.turn.tts.first.audio", "end of caller speech to the TTS's first audio");
        this.response = timer("dialtone.turn.response", "end of caller speech to the first reply audio sent to Twilio");
        this.bargeIn = timer("dialtone.turn.barge.in", "interruption detected to clear sent");
    }

    void record(Turn.View turn) {
        record(sttFinal, turn.sttFinalMs());
        record(llmFirstToken, turn.llmFirstTokenMs());
        record(ttsFirstAudio, turn.ttsFirstAudioMs());
        record(response, turn.firstAudioMs());
        record(bargeIn, turn.bargeInToClearMs());
    }

    /** A call's mailbox was full and an event was dropped (the call is being flooded). */
    void droppedEvent() {
        registry.counter("dialtone.call.events.dropped").increment();
    }

    /** An answering-machine result for a call whose stream had not started was dropped: too many were waiting. */
    void droppedEarlyAnswer() {
        registry.counter("dialtone.amd.answers.dropped").increment();
    }

    void failure(String stage) {
        registry.counter("dialtone.turn.failures", "stage", stage).increment();
    }

    private Timer timer(String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                    .register(registry);
    }

    private static void record(Timer timer, Optional<Long> millis) {
        millis.filter(ms -> ms >= 0).ifPresent(ms -> timer.record(Duration.ofMillis(ms)));
    }
}
