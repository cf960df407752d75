package dev.dialtone;

import java.util.List;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start the {@link Drain} instead of stopping the JVM at once: the JVM's own
 * handling would run the shutdown hooks straight away (the web server and logging among them) and
 * end every call. When the drain is over the process exits with status 0, its shutdown hooks then
 * closing the server and the store. A second signal during the drain stops the process at once
 * (status 128 + the signal's number, as the JVM's own handling would have), for an operator at a
 * terminal who does not want to wait.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the JDK's one way to handle a signal
 * without starting the shutdown.
 */
final class StopSignals {
    private static final System.Logger LOG = System.getLogger(StopSignals.class.getName());

    private StopSignals() {
    }

    static void install(Drain drain, Settings.DrainTimes times) {
        for (var name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                if (!drain.begin()) {
                    LOG.log(System.Logger.Level.WARNING, "SIG{0} again during the drain: stopping now, {1} call(s) still up",
                            signal.getName(), drain.callsUp());
                    System.exit(128 + signal.getNumber());
                }
                LOG.log(System.Logger.Level.INFO, "SIG{0}: draining (send it again to stop at once)", signal.getName());
                Thread.ofPlatform().name("drain").start(() -> {
                    try {
                        drain.awaitCalls(times);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    System.exit(0);
                });
            });
        }
    }
}
