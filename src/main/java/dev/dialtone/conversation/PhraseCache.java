package dev.dialtone.conversation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Synthesised audio of fixed phrases (greetings, node lines, fillers, re-prompts, apologies), per
 * voice, shared by all calls: the second caller hears the greeting at once, and an apology plays
 * even while the TTS provider is down. Bounded; the least recently used phrase goes first.
 */
public final class PhraseCache {
    private static final int MAX_PHRASES = 1000;

    private final Map<String, byte[]> audio = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > MAX_PHRASES;
        }
    };

    public synchronized Optional<byte[]> get(String voice, String text) {
        return Optional.ofNullable(audio.get(key(voice, text)));
    }

    public synchronized void put(String voice, String text, byte[] mulaw) {
        if (mulaw.length > 0) {
            audio.put(key(voice, text), mulaw);
        }
    }

    public synchronized int size() {
        return audio.size();
    }

    private static String key(String voice, String text) {
        return voice + '\u0000' + text;
    }
}
