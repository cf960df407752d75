package dev.dialtone.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The timer of every {@link ProviderSocket}: one virtual thread that once a second lets each open
 * socket check its deadlines. Blocking writes have no time-out of their own, and a read already
 * blocked ignores a socket time-out set after it began, so a socket is bounded from outside.
 */
final class SocketWatchdog {
    private final Set<ProviderSocket> sockets = ConcurrentHashMap.newKeySet();

    SocketWatchdog() {
        Thread.ofVirtual().name("provider-socket-watchdog").start(this::run);
    }

    void watch(ProviderSocket socket) {
        sockets.add(socket);
    }

    void forget(ProviderSocket socket) {
        sockets.remove(socket);
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (var socket : sockets) {
                socket.checkDeadlines(now);
            }
        }
    }
}
