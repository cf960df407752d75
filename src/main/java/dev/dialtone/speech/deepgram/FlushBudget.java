package dev.dialtone.speech.deepgram;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import dev.dialtone.net.EventGate;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.speech.TtsSession;

/**
 * Keeps a call's Deepgram TTS within its Flush budget. Deepgram processes at most 20 Flush
 * messages per 60 s on a socket and ignores the rest (its "Flush" page), and the socket session
 * flushes once per segment, so a lively call would run out within a minute. When a session has
 * spoken {@code perWindow} segments within {@code window}, the next segment goes to a fresh session;
 * the old one finishes its segments and is then closed. Segment ids are unchanged, so the caller
 * (which plays segments in the order spoken) sees one session.
 */
public final class FlushBudget implements TextToSpeech {
    private final TextToSpeech inner;
    private final int perWindow;
    private final Duration window;

    public FlushBudget(TextToSpeech inner, int perWindow, Duration window) {
        this.inner = inner;
        this.perWindow = perWindow;
        this.window = window;
    }

    /** Deepgram's documented budget (20 per 60 s), with a margin. */
    public static FlushBudget deepgram(TextToSpeech inner) {
        return new FlushBudget(inner, 18, Duration.ofSeconds(60));
    }

    @Override
    public TtsSession open(TtsOptions options, Consumer<TtsEvent> listener) {
        return new Session(options, listener);
    }

    @Override
    public String toString() {
        return "FlushBudget[" + perWindow + " per " + window.toSeconds() + " s, " + inner + "]";
    }

    private final class Session implements TtsSession {
        private final TtsOptions options;
        private final EventGate<TtsEvent> gate;
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Long> spokenAt = new ArrayDeque<>(); // guarded by lock: current session's segments
        private final Map<Long, TtsSession> owner = new HashMap<>();   // guarded by lock: segment -> its session
        private final Set<TtsSession> retired = new HashSet<>();        // guarded by lock
        private TtsSession current;                                     // guarded by lock
        private boolean closed;                                         // guarded by lock

        Session(TtsOptions options, Consumer<TtsEvent> listener) {
            this.options = options;
            this.gate = new EventGate<>(listener, e -> false);
            this.current = openInner();
        }

        @Override
        public void speak(long segmentId, String text) {
            TtsSession target;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                long now = System.nanoTime();
                while (!spokenAt.isEmpty() && now - spokenAt.peekFirst() > window.toNanos()) {
                    spokenAt.removeFirst();
                }
                if (spokenAt.size() >= perWindow) {
                    retire(current);
                    current = openInner();
                    spokenAt.clear();
                }
                spokenAt.addLast(now);
                owner.put(segmentId, current);
                target = current;
            } finally {
                lock.unlock();
            }
            target.speak(segmentId, text);
        }

        @Override
        public void flush() {
            lock.lock();
            var target = current;
            lock.unlock();
            target.flush();
        }

        @Override
        public void cancel() {
            Set<TtsSession> all;
            lock.lock();
            try {
                all = new HashSet<>(retired);
                all.add(current);
                owner.clear();
            } finally {
                lock.unlock();
            }
            all.forEach(TtsSession::cancel);
            lock.lock();
            try {
                retired.forEach(s -> closeLater(s));
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            Set<TtsSession> all;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                all = new HashSet<>(retired);
                all.add(current);
                retired.clear();
                owner.clear();
            } finally {
                lock.unlock();
            }
            all.forEach(TtsSession::close);
        }

        private TtsSession openInner() {
            var holder = new TtsSession[1];
            var session = inner.open(options, event -> onInner(holder[0], event));
            holder[0] = session;
            return session;
        }

        /** The old session may still owe audio; it is closed once its last segment is done. */
        private void retire(TtsSession session) {
            retired.add(session);
            closeLater(session);
        }

        private void closeLater(TtsSession session) {
            if (!owner.containsValue(session) && retired.remove(session)) {
                Thread.ofVirtual().start(session::close); // never call into it while holding our lock
            }
        }

        private void onInner(TtsSession from, TtsEvent event) {
            switch (event) {
                case TtsEvent.SegmentDone done -> settled(done.segmentId());
                case TtsEvent.Failed failed when failed.segmentId().isPresent() -> settled(failed.segmentId().getAsLong());
                default -> {
                }
            }
            gate.emit(event);
        }

        private void settled(long segmentId) {
            lock.lock();
            try {
                var session = owner.remove(segmentId);
                if (session != null && retired.contains(session)) {
                    closeLater(session);
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
