package dev.dialtone.telephony;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counters of the Twilio edge: messages in and out by event, refused input by reason, refused
 * upgrades and refused streams (a start without a valid credential, a second stream of a call).
 */
public final class TelephonyMetrics {
    private final MeterRegistry registry;
    // media flows 50 times a second per call each way: its counters are looked up once
    private final Counter mediaIn;
    private final Counter mediaOut;

    public TelephonyMetrics(MeterRegistry registry, ActiveCalls calls) {
        this.registry = registry;
        registry.gauge("dialtone.calls.active", calls, ActiveCalls::size);
        this.mediaIn = registry.counter("dialtone.twilio.messages.in", "event", "media");
        this.mediaOut = registry.counter("dialtone.twilio.messages.out", "event", "media");
    }

    void received(StreamEvent event) {
        if (event instanceof StreamEvent.Media) {
            mediaIn.increment();
            return;
        }
        registry.counter("dialtone.twilio.messages.in", "event", name(event)).increment();
    }

    void sent(StreamCommand command) {
        var event = switch (command) {
            case StreamCommand.Media m -> {
                mediaOut.increment();
                yield null;
            }
            case StreamCommand.Mark m -> "mark";
            case StreamCommand.Clear c -> "clear";
        };
        if (event != null) {
            registry.counter("dialtone.twilio.messages.out", "event", event).increment();
        }
    }

    void rejected(String reason) {
        registry.counter("dialtone.twilio.messages.rejected", "reason", reason).increment();
    }

    void refusedUpgrade() {
        registry.counter("dialtone.twilio.upgrades.refused").increment();
    }

    void refusedStream(String reason) {
        registry.counter("dialtone.twilio.streams.refused", "reason", reason).increment();
    }

    private static String name(StreamEvent event) {
        return switch (event) {
            case StreamEvent.Connected c -> "connected";
            case StreamEvent.Start s -> "start";
            case StreamEvent.Media m -> "media";
            case StreamEvent.Dtmf d -> "dtmf";
            case StreamEvent.Mark m -> "mark";
            case StreamEvent.Stop s -> "stop";
            case StreamEvent.Text t -> "text";
        };
    }
}
