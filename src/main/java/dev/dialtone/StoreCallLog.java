package dev.dialtone;

import java.time.Instant;
import java.util.Optional;

import dev.dialtone.conversation.CallLog;
import dev.dialtone.conversation.CallTranscript;
import dev.dialtone.conversation.Turn;
import dev.dialtone.store.CallEnd;
import dev.dialtone.store.EventRecord;
import dev.dialtone.store.CallRecorder;
import dev.dialtone.store.CallStart;
import dev.dialtone.store.CallStatus;
import dev.dialtone.store.Direction;
import dev.dialtone.store.EventKind;
import dev.dialtone.store.ToolCallRecord;
import dev.dialtone.store.TurnRecord;
import dev.dialtone.store.TurnTimings;
import dev.dialtone.store.UsageKind;
import dev.dialtone.store.UsageRecord;

/**
 * Records calls in the store as they happen: it translates the conversation's transcript into
 * the store's records and hands them to the asynchronous {@link CallRecorder} (which never blocks).
 */
final class StoreCallLog implements CallLog {
    private final CallRecorder recorder;

    StoreCallLog(CallRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public void started(CallTranscript call) {
        var direction = call.direction().startsWith("outbound") ? Direction.OUTBOUND : Direction.INBOUND;
        recorder.callStarted(new CallStart(call.callSid(), call.flow(), call.flowVersion(), call.from(), call.to(),
                                           direction, call.startedAt()));
    }

    @Override
    public void turn(CallTranscript call, Turn.View turn) {
        var tools = turn.tools().stream()
                .map(t -> t.error() ? ToolCallRecord.failed(t.name(), t.arguments(), t.result(), t.millis())
                                    : ToolCallRecord.succeeded(t.name(), t.arguments(), t.result(), t.millis()))
                .toList();
        recorder.turnCompleted(new TurnRecord(call.callSid(), turn.index(), turn.callerText(), turn.agentText(),
                                              turn.interrupted(), timings(turn), tools, turn.startedAt()));
    }

    @Override
    public void note(CallTranscript call, CallTranscript.CallNote note) {
        var kind = switch (note.kind()) {
            case "transfer" -> Optional.of(EventKind.TRANSFER);
            case "hangup" -> Optional.of(EventKind.HANGUP);
            case "error" -> Optional.of(EventKind.ERROR);
            case "node" -> Optional.of(EventKind.NODE_CHANGE);
            case "dtmf" -> Optional.of(EventKind.DTMF);
            default -> Optional.<EventKind>empty();
        };
        kind.ifPresent(k -> recorder.event(new EventRecord(call.callSid(), note.at(), k, note.detail())));
    }

    @Override
    public void usage(CallTranscript call, String provider, String kind, long input, long output) {
        var usageKind = switch (kind) {
            case "llm_tokens" -> UsageKind.LLM_TOKENS;
            case "tts_characters" -> UsageKind.TTS_CHARACTERS;
            default -> UsageKind.STT_AUDIO_MILLIS;
        };
        recorder.usage(new UsageRecord(call.callSid(), provider, usageKind, input, output));
    }

    @Override
    public void ended(CallTranscript call) {
        var failed = call.notes().stream().anyMatch(n -> n.kind().equals("error") && n.detail().startsWith("internal"));
        recorder.callEnded(new CallEnd(call.callSid(), call.endedAt().orElse(Instant.now()),
                                       call.endReason().orElse("ended"), failed ? CallStatus.FAILED : CallStatus.COMPLETED));
    }

    /** Stage instants, reconstructed from the turn's start and its offsets from the end of speech. */
    private static TurnTimings timings(Turn.View turn) {
        if (turn.sttFinalMs().isEmpty()) {
            return TurnTimings.NONE;
        }
        var speechEnd = turn.startedAt().minusMillis(turn.sttFinalMs().get());
        return new TurnTimings(speechEnd, at(speechEnd, turn.sttFinalMs()), at(speechEnd, turn.llmFirstTokenMs()),
                               at(speechEnd, turn.firstSegmentMs()), at(speechEnd, turn.ttsFirstAudioMs()),
                               at(speechEnd, turn.firstAudioMs()));
    }

    private static Instant at(Instant base, Optional<Long> millis) {
        return millis.map(base::plusMillis).orElse(null);
    }
}
