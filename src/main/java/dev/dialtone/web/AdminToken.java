package dev.dialtone.web;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.dialtone.Secret;

/**
 * Who may use the admin API, the live feed and the softphone: whoever presents the admin token
 * (compared in constant time), or, when none is configured, only this machine.
 */
final class AdminToken {
    private final Secret token;

    AdminToken(Secret token) {
        this.token = token;
    }

    boolean configured() {
        return token.isSet();
    }

    /** Whether {@code given} is the token. */
    boolean matches(String given) {
        return token.isSet() && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                                                     token.value().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a request from {@code peer} with these credentials may go on. */
    boolean admits(SocketAddress peer, String bearer, String queryToken) {
        if (token.isSet()) {
            return matches(bearer.startsWith("Bearer ") ? bearer.substring(7) : "") || matches(queryToken);
        }
        return isLocal(peer);
    }

    static boolean isLocal(SocketAddress peer) {
        return peer instanceof InetSocketAddress address && address.getAddress().isLoopbackAddress();
    }
}
