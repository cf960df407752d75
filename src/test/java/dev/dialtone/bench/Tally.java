package dev.dialtone.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the callers saw over a stretch of the benchmark (a level, or a minute of the soak): reply
 * and barge-in latencies, answered and failed turns with the reasons, calls ended. Written by
 * every call's thread at once.
 */
final class Tally {
    private final ConcurrentLinkedQueue<Long> replyMs = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> bargeInMs = new ConcurrentLinkedQueue<>();
    private final LongAdder turns = new LongAdder();
    private final LongAdder failedTurns = new LongAdder();
    private final LongAdder callsEnded = new LongAdder();
    private final LongAdder callsFailed = new LongAdder();
    private final Map<String, Integer> reasons = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> callSids = new ConcurrentLinkedQueue<>();

    /** A call was placed (its webhook answered): the server keeps a record under this sid. */
    void placed(String callSid) {
        callSids.add(callSid);
    }

    List<String> callSids() {
        return List.copyOf(callSids);
    }

    /** A tool turn answered: last speech frame sent -> first reply audio heard. */
    void reply(long millis) {
        replyMs.add(millis);
        turns.increment();
    }

    /** A turn that needed no latency figure (the long answer that is interrupted) was answered. */
    void turn() {
        turns.increment();
    }

    /** An interruption: first interrupting frame sent -> Twilio's clear received. */
    void bargeIn(long millis) {
        bargeInMs.add(millis);
        turns.increment();
    }

    /** A turn (or the barge-in) did not get what it waited for; {@code reason} groups failures alike. */
    void turnFailed(String reason) {
        turns.increment();
        failedTurns.increment();
        reasons.merge(reason, 1, Integer::sum);
    }

    void callEnded(boolean failed) {
        callsEnded.increment();
        if (failed) {
            callsFailed.increment();
        }
    }

    List<Long> replyMs() {
        return sorted(replyMs);
    }

    List<Long> bargeInMs() {
        return sorted(bargeInMs);
    }

    long turns() {
        return turns.sum();
    }

    long failedTurns() {
        return failedTurns.sum();
    }

    long callsEnded() {
        return callsEnded.sum();
    }

    long callsFailed() {
        return callsFailed.sum();
    }

    /** Failure reasons with their counts, most frequent first. */
    List<String> reasons() {
        var list = new ArrayList<>(reasons.entrySet());
        list.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        return list.stream().map(e -> e.getValue() + " x " + e.getKey()).toList();
    }

    /** The p-th percentile (0..1, nearest rank) of sorted values; -1 when there are none. */
    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.round(p * (sorted.size() - 1))));
    }

    private static List<Long> sorted(Collection<Long> values) {
        var list = new ArrayList<>(values);
        Collections.sort(list);
        return list;
    }

    /**
     * Calls in progress, and call time: the integral of that count over time, which is exact
     * however calls overlap, so that CPU can be divided by the call-minutes that used it.
     */
    static final class LiveCalls {
        private int live; // guarded by this
        private long since = System.nanoTime(); // guarded by this
        private long callNanos; // guarded by this

        synchronized void started() {
            advance();
            live++;
        }

        synchronized void ended() {
            advance();
            live--;
        }

        synchronized int live() {
            return live;
        }

        /** Call time so far, in minutes. */
        synchronized double callMinutes() {
            advance();
            return callNanos / 60e9;
        }

        private void advance() {
            long now = System.nanoTime();
            callNanos += (now - since) * live;
            since = now;
        }
    }
}
