package dev.dialtone.speech;

import dev.dialtone.net.EventGate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A TTS that speaks through a primary (a streaming socket) and moves for good to a fallback (the
 * provider's HTTP endpoint) the first time the primary fails, re-speaking there every pending
 * segment of which no audio was delivered yet; a segment cut part-way is reported failed rather
 * than heard twice. Segment order is kept.
 *
 * <p>Locking: the wrapped sessions emit while holding their own locks, so this class never calls
 * into them while holding {@link Session#lock}; it decides under the lock and acts after.
 */
public final class FallbackTextToSpeech implements TextToSpeech {
    private final TextToSpeech primary;
    private final TextToSpeech fallback;

    public FallbackTextToSpeech(TextToSpeech primary, TextToSpeech fallback) {
        this.primary = primary;
        this.fallback = fallback;
    }

    @Override
    public TtsSession open(TtsOptions options, Consumer<TtsEvent> listener) {
        var session = new Session(options, listener);
        session.start();
        return session;
    }

    @Override
    public String toString() {
        return "FallbackTextToSpeech[" + primary + " -> " + fallback + "]";
    }

    private final class Session implements TtsSession {
        private final TtsOptions options;
        private final EventGate<TtsEvent> gate;
        private final ReentrantLock lock = new ReentrantLock();
        /** Spoken, not done: text and whether audio was delivered. Guarded by {@link #lock}. */
        private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();
        /** Guarded by {@link #lock}. */
        private boolean onFallback;
        /** Written once in start(); read under {@link #lock} or after. */
        private TtsSession primarySession;
        /** Written once under {@link #lock} when switching. */
        private TtsSession fallbackSession;
        /**
         * While the switch re-speaks the pending segments on the fallback, newer segments wait here
         * so that they cannot overtake them. Guarded by {@link #lock}.
         */
        private boolean respeaking;
        private final List<Map.Entry<Long, String>> deferred = new ArrayList<>();

        private static final class Pending {
            final String text;
            boolean heard;

            Pending(String text) {
                this.text = text;
            }
        }

        Session(TtsOptions options, Consumer<TtsEvent> listener) {
            this.options = options;
            this.gate = new EventGate<>(listener, e -> e instanceof TtsEvent.Failed f && f.segmentId().isEmpty());
        }

        void start() {
            var session = primary.open(options, this::fromPrimary);
            lock.lock();
            try {
                primarySession = session;
            } finally {
                lock.unlock();
            }
        }

        private TtsSession active() {
            lock.lock();
            try {
                return onFallback ? fallbackSession : primarySession;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void speak(long segmentId, String text) {
            TtsSession target;
            lock.lock();
            try {
                pending.put(segmentId, new Pending(text));
                if (respeaking) {
                    deferred.add(Map.entry(segmentId, text)); // the switch speaks it after the older ones
                    return;
                }
                target = onFallback ? fallbackSession : primarySession;
            } finally {
                lock.unlock();
            }
            // If a switch happens before this call lands, the primary is abandoned and the switch
            // re-speaks this segment (it is pending) on the fallback.
            target.speak(segmentId, text);
        }

        @Override
        public void flush() {
            active().flush();
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                pending.clear();
                deferred.clear();
            } finally {
                lock.unlock();
            }
            active().cancel();
        }

        @Override
        public void close() {
            gate.silence();
            TtsSession second;
            lock.lock();
            try {
                second = fallbackSession;
            } finally {
                lock.unlock();
            }
            primarySession.close();
            if (second != null) {
                second.close();
            }
        }

        private void fromPrimary(TtsEvent event) {
            boolean switchNow = false;
            lock.lock();
            try {
                if (onFallback) {
                    return; // late words from the abandoned primary
                }
                switch (event) {
                    case TtsEvent.Audio audio -> {
                        var segment = pending.get(audio.segmentId());
                        if (segment != null) {
                            segment.heard = true;
                            gate.emit(audio);
                        }
                    }
                    case TtsEvent.SegmentDone done -> {
                        if (pending.remove(done.segmentId()) != null) {
                            gate.emit(done);
                        }
                    }
                    case TtsEvent.Failed failed -> switchNow = true;
                }
            } finally {
                lock.unlock();
            }
            if (switchNow) {
                switchToFallback((TtsEvent.Failed) event);
            }
        }

        private void switchToFallback(TtsEvent.Failed cause) {
            List<Map.Entry<Long, String>> respeak = new ArrayList<>();
            TtsSession opened;
            lock.lock();
            try {
                if (onFallback) {
                    return;
                }
                onFallback = true;
                respeaking = true;
                fallbackSession = fallback.open(options, this::fromFallback);
                opened = fallbackSession;
                var iterator = pending.entrySet().iterator();
                while (iterator.hasNext()) {
                    var entry = iterator.next();
                    if (entry.getValue().heard) {
                        gate.emit(new TtsEvent.Failed(OptionalLong.of(entry.getKey()), cause.error()));
                        iterator.remove();
                    } else {
                        respeak.add(Map.entry(entry.getKey(), entry.getValue().text));
                    }
                }
            } finally {
                lock.unlock();
            }
            primarySession.close();
            while (true) {
                respeak.forEach(e -> opened.speak(e.getKey(), e.getValue()));
                lock.lock();
                try {
                    if (deferred.isEmpty()) {
                        respeaking = false; // from now on speak() goes straight to the fallback
                        return;
                    }
                    respeak = new ArrayList<>(deferred); // spoken while the older ones were re-spoken
                    deferred.clear();
                } finally {
                    lock.unlock();
                }
            }
        }

        private void fromFallback(TtsEvent event) {
            lock.lock();
            try {
                switch (event) {
                    case TtsEvent.Audio audio -> {
                        if (pending.containsKey(audio.segmentId())) {
                            gate.emit(audio);
                        }
                    }
                    case TtsEvent.SegmentDone done -> {
                        if (pending.remove(done.segmentId()) != null) {
                            gate.emit(done);
                        }
                    }
                    case TtsEvent.Failed failed -> {
                        failed.segmentId().ifPresent(pending::remove);
                        gate.emit(failed);
                    }
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
