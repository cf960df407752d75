package dev.dialtone.store;

/** What a provider bills by, which says the unit of a {@link UsageRecord}'s amounts. */
public enum UsageKind {
    /** LLM tokens: input = prompt tokens, output = completion tokens. */
    LLM_TOKENS,
    /** Text-to-speech: input = characters sent, output = milliseconds of audio received. */
    TTS_CHARACTERS,
    /** Speech-to-text: input = milliseconds of audio sent, output = 0. */
    STT_AUDIO_MILLIS
}
