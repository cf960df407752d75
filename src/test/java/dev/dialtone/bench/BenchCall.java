package dev.dialtone.bench;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.dialtone.audio.Fixtures;
import dev.dialtone.audio.Frames;
import dev.dialtone.audio.VoiceActivity;
import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeCall;
import dev.dialtone.fakes.FakeTwilio;

/**
 * One benchmark call, through the real path: the signed voice webhook, its TwiML (parameters
 * echoed in the stream's start message, as Twilio does), the signed Media Stream. The caller hears
 * the greeting, asks questions the agent answers with its tool (at least {@code minTurns}, and
 * more until the call is {@code length} old), asks for a long answer and interrupts it, then hangs
 * up. Like people, the caller pauses a random 0.3-1.5 s before speaking, so calls do not speak in
 * lockstep. Everything it sees goes into the {@link Tally} the supplier gives at that moment (the
 * soak changes it every minute).
 */
final class BenchCall {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** From the interruption's first frame: the server pauses the agent on voice onset, commits on words. */
    private static final Duration CLEAR_WAIT = Duration.ofSeconds(3);
    private static final int QUESTION_MS = 600;
    private static final int INTERRUPTION_MS = 800;
    /**
     * The interruption is real speech (espeak-ng, telephone band: the test fixture), from its first
     * voiced frame, so that the server's voice detector hears what it would on a line; the fake STT
     * hears its pitch as the interrupting words.
     */
    private static final byte[] INTERRUPTION = fromFirstVoicedFrame(Fixtures.mulaw("words"), INTERRUPTION_MS);

    /** A step of the call that did not happen in time; its message names the step. */
    private static final class StepFailed extends Exception {
        StepFailed(String step) {
            super(step);
        }
    }

    private final FakeTwilio twilio;
    private final int minTurns;
    private final long endNanos;
    private final Supplier<Tally> tally;
    private final Tally.LiveCalls live;

    /**
     * @param endNanos no tool turn starts after this (System.nanoTime); with {@code minTurns} turns done
     */
    BenchCall(FakeTwilio twilio, int minTurns, long endNanos, Supplier<Tally> tally, Tally.LiveCalls live) {
        this.twilio = twilio;
        this.minTurns = minTurns;
        this.endNanos = endNanos;
        this.tally = tally;
        this.live = live;
    }

    /** Places the call and plays it to the end; failures are counted, never thrown. Returns whether all went well. */
    boolean run() throws InterruptedException {
        FakeCall call;
        try {
            call = twilio.dial(BenchFakes.CALLER, BenchFakes.NUMBER);
        } catch (Exception e) {
            tally.get().turnFailed("call not connected: " + withoutSids(e.getMessage()));
            tally.get().callEnded(true);
            return false;
        }
        tally.get().placed(call.callSid());
        live.started();
        boolean failed = false;
        try (call; var line = new CallerLine(call)) {
            try {
                need(call.awaitQuiet(Duration.ofMillis(200), WAIT), "greeting within " + WAIT.toSeconds() + " s");
                for (int turn = 1; turn <= minTurns || System.nanoTime() < endNanos; turn++) {
                    toolTurn(call, line, turn);
                }
                bargeIn(call, line);
            } finally {
                line.close();
                hangUp(call); // after a failure too: Twilio always ends a stream with stop
            }
        } catch (StepFailed e) {
            failed = true;
            tally.get().turnFailed("no " + e.getMessage());
        } catch (TimeoutException | RuntimeException e) {
            failed = true;
            var what = e instanceof TimeoutException ? "the caller's line stalled: its audio did not go out within 5 s"
                    : e.getClass().getSimpleName() + ": " + withoutSids(String.valueOf(e.getMessage()));
            tally.get().turnFailed("the call broke: " + what);
        } finally {
            live.ended();
            tally.get().callEnded(failed);
        }
        return !failed;
    }

    /** A question the agent answers after calling its tool; the reply latency is measured. */
    private void toolTurn(FakeCall call, CallerLine line, int turn) throws InterruptedException, TimeoutException, StepFailed {
        think();
        long spoke = line.speak(FakeAudio.tone(BenchFakes.QUESTION_HZ, QUESTION_MS), 5_000).lastNanos();
        need(call.awaitHeardAfter(spoke, WAIT), "reply to turn " + turn + " within " + WAIT.toSeconds() + " s");
        long heard = call.firstHeardAfter(spoke).orElseThrow().atNanos();
        tally.get().reply((heard - spoke) / 1_000_000);
        need(call.awaitQuiet(Duration.ofMillis(300), WAIT), "end of the reply to turn " + turn + " within " + WAIT.toSeconds() + " s");
    }

    /** A long answer, interrupted 300 ms into it: the barge-in latency is measured up to Twilio's clear. */
    private void bargeIn(FakeCall call, CallerLine line) throws InterruptedException, TimeoutException, StepFailed {
        think();
        long spoke = line.speak(FakeAudio.tone(BenchFakes.LONG_HZ, QUESTION_MS), 5_000).lastNanos();
        need(call.awaitHeardAfter(spoke, WAIT), "long answer within " + WAIT.toSeconds() + " s");
        tally.get().turn();
        Thread.sleep(300);
        long interrupting = line.speak(INTERRUPTION, 5_000).firstNanos();
        Optional<FakeCall.Received> clear = Optional.empty();
        for (long deadline = System.nanoTime() + CLEAR_WAIT.toNanos(); clear.isEmpty() && System.nanoTime() < deadline; ) {
            clear = call.received("clear").stream().filter(c -> c.atNanos() > interrupting).findFirst();
            if (clear.isEmpty()) {
                Thread.sleep(10);
            }
        }
        if (clear.isEmpty()) {
            throw new StepFailed("clear within " + CLEAR_WAIT.toSeconds() + " s of the barge-in");
        }
        tally.get().bargeIn((clear.get().atNanos() - interrupting) / 1_000_000);
    }

    private static byte[] fromFirstVoicedFrame(byte[] mulaw, int millis) {
        var frames = Fixtures.frames(mulaw);
        int first = 0;
        while (first < frames.size() && !VoiceActivity.isSpeech(frames.get(first))) {
            first++;
        }
        var out = new byte[millis * 8];
        System.arraycopy(mulaw, first * Frames.FRAME_BYTES, out, 0, Math.min(out.length, mulaw.length - first * Frames.FRAME_BYTES));
        return out;
    }

    private static void hangUp(FakeCall call) {
        if (!call.isClosed()) {
            try {
                call.stop();
            } catch (RuntimeException e) {
                // the socket went away first: nothing left to hang up
            }
        }
    }

    private static void think() throws InterruptedException {
        Thread.sleep(300 + ThreadLocalRandom.current().nextInt(1200));
    }

    private static void need(boolean ok, String step) throws StepFailed {
        if (!ok) {
            throw new StepFailed(step);
        }
    }

    /** Failure messages grouped across calls: call and stream ids left out. */
    private static String withoutSids(String message) {
        return String.valueOf(message).replaceAll("(CA|MZ)[0-9a-f]{32}", "$1...");
    }
}
