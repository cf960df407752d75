package dev.dialtone.conversation;

import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.plugin.ToolOutcome;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.TtsEvent;

/**
 * Everything that can happen to a call, as the records its actor drains from the mailbox. Network
 * threads, timers and tools only create these; the call's own thread alone acts on them. Events
 * of a provider stream carry the id of the stream that produced them, so that late events of a
 * cancelled reply or a replaced session are recognised and dropped.
 */
sealed interface CallEvent {

    /** A frame of caller audio, with the time it arrived. */
    record CallerAudio(byte[] mulaw, long atNanos) implements CallEvent {
    }

    /**
     * The caller has been speaking for a while without pause (by the energy of their audio, not
     * the STT): long enough to be an interruption rather than an "uh-huh".
     */
    record CallerSpeaking(long sinceNanos, long atNanos) implements CallEvent {
    }

    /** Voice activity detection heard the caller start to speak while the agent could be interrupted. */
    record CallerVoice(long atNanos) implements CallEvent {
    }

    /** A key the caller pressed. */
    record Digit(String digit) implements CallEvent {
    }

    /** Twilio echoed a mark: the audio before it has played (or a clear flushed it). */
    record MarkEchoed(String name, long atNanos) implements CallEvent {
    }

    /** A caller turn typed instead of spoken (chat mode, the softphone's text box). */
    record TypedTurn(String text) implements CallEvent {
    }

    /** Speech-to-text of session {@code session}. */
    record Stt(long session, SttEvent event, long atNanos) implements CallEvent {
    }

    /** The LLM stream of reply {@code reply}. */
    record Llm(long reply, ChatEvent event, long atNanos) implements CallEvent {
    }

    /** Text-to-speech of session {@code session}. */
    record Tts(long session, TtsEvent event, long atNanos) implements CallEvent {
    }

    /** A tool of reply {@code reply} finished. */
    record ToolFinished(long reply, ToolCall call, ToolOutcome outcome, long millis) implements CallEvent {
    }

    /** Something a tool, a DTMF route or an operator asked the call to do. */
    record Action(CallAction action) implements CallEvent {
    }

    /** A timer fired; {@code generation} tells a current timer from a cancelled one. */
    record TimerFired(TimerKind kind, long generation) implements CallEvent {
    }

    /** Twilio's stream ended (caller hung up, the call was transferred away, the connection was lost...): why. */
    record StreamEnded(String reason) implements CallEvent {
    }

    /** Twilio's answering-machine detection: {@code human}, {@code machine_end_beep}, {@code fax}, {@code unknown}... */
    record AnsweredBy(String value) implements CallEvent {
    }

    /** The timers a call runs. */
    enum TimerKind { SILENCE, MAX_DURATION, RESPONSE_DEADLINE, DIGITS, RESUME_CHECK, COLLECT, QUIET_CHECK, PATIENCE, STT_REOPEN }
}
