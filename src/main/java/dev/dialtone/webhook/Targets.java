package dev.dialtone.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * The SSRF rule for webhook URLs: http(s) only, and no loopback, private, link-local, multicast or
 * unspecified address (every address the host resolves to is checked) unless the host is on the
 * operator's allow-list ({@code host}, {@code host:port} or {@code *.domain}, as plugins.allowed-hosts).
 */
final class Targets {
    private final List<String> allowed;

    Targets(List<String> allowed) {
        this.allowed = allowed.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
    }

    /** Why {@code url} may not be called, or null when it may. */
    String refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return "not a valid URL";
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            return "only http and https URLs with a host";
        }
        var host = uri.getHost().toLowerCase(Locale.ROOT).replaceAll("^\\[|]$", "");
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (listed(host, port)) {
            return null;
        }
        try {
            resolve(host, false);
        } catch (UnknownHostException e) {
            return e.getMessage();
        }
        return null;
    }

    /**
     * The addresses of {@code host}, refused when one is private and the host is not listed (for any
     * port: {@link #refusal} has checked the port). The HTTP client resolves through this too, so a name that changes its answer between the
     * check and the connection (DNS rebinding) is still refused.
     */
    List<InetAddress> lookup(String host) throws UnknownHostException {
        return resolve(host, listedAnyPort(host.toLowerCase(Locale.ROOT)));
    }

    private static List<InetAddress> resolve(String host, boolean listed) throws UnknownHostException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("host " + host + " does not resolve");
        }
        if (!listed) {
            for (var address : addresses) {
                if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                        || address.isAnyLocalAddress() || address.isMulticastAddress() || uniqueLocal(address)) {
                    throw new UnknownHostException("host " + host + " is a private or loopback address (not in webhooks.allowed-hosts)");
                }
            }
        }
        return List.of(addresses);
    }

    private boolean listedAnyPort(String host) {
        for (var a : allowed) {
            if (a.equals(host) || a.startsWith(host + ":") || a.startsWith("*.") && host.endsWith(a.substring(1))) {
                return true;
            }
        }
        return false;
    }

    private boolean listed(String host, int port) {
        for (var a : allowed) {
            if (a.equals(host) || a.equals(host + ":" + port) || a.startsWith("*.") && host.endsWith(a.substring(1))) {
                return true;
            }
        }
        return false;
    }

    /** IPv6 fc00::/7. */
    private static boolean uniqueLocal(InetAddress address) {
        var b = address.getAddress();
        return b.length == 16 && (b[0] & 0xfe) == 0xfc;
    }
}
