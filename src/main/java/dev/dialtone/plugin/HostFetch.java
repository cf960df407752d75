package dev.dialtone.plugin;

import dev.dialtone.net.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code call.http.fetch} for plugins: HTTP(S) only to hosts on the operator's allow-list, no
 * redirects (a redirect could leave the list), a bounded body, and a timeout no longer than what is
 * left of the plugin's own time. Entries are {@code host}, {@code host:port} or {@code *.domain}.
 */
final class HostFetch {
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");

    private final List<String> allowedHosts;
    private final int maxBodyBytes;
    private HttpClient client; // made at the first fetch: the JDK's TLS set-up costs half a second of start-up

    HostFetch(List<String> allowedHosts, int maxBodyBytes) {
        this.allowedHosts = List.copyOf(allowedHosts);
        this.maxBodyBytes = maxBodyBytes;
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
        }
        return client;
    }

    /** A refusal or failure that the plugin sees as a thrown Error. */
    static final class FetchError extends Exception {
        FetchError(String message) {
            super(message);
        }
    }

    /**
     * Performs one request. {@code optionsJson} is {@code {method, headers, body}}; the answer is
     * {@code {status, headers, body}} as JSON text.
     */
    String fetch(String url, String optionsJson, Duration timeLeft) throws FetchError {
        var uri = target(url);
        if (!allowed(uri)) {
            throw new FetchError("http.fetch refused: host " + uri.getHost() + " is not in plugins.allowed-hosts");
        }
        if (timeLeft.toMillis() < 1) {
            throw new FetchError("http.fetch: no time left in this tool call");
        }
        var request = request(uri, optionsJson, timeLeft);
        try {
            var response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = response.body()) {
                var bytes = in.readNBytes(maxBodyBytes + 1);
                if (bytes.length > maxBodyBytes) {
                    throw new FetchError("http.fetch: response body is larger than " + maxBodyBytes + " bytes");
                }
                body = new String(bytes, StandardCharsets.UTF_8);
            }
            var headers = new LinkedHashMap<String, String>();
            response.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
            return Json.writeValue(Map.of("status", response.statusCode(), "headers", headers, "body", body));
        } catch (HttpTimeoutException e) {
            throw new FetchError("http.fetch: " + uri.getHost() + " did not answer within " + timeLeft.toMillis() + " ms");
        } catch (IOException e) {
            throw new FetchError("http.fetch: request to " + uri.getHost() + " failed (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchError("http.fetch: cancelled");
        }
    }

    private HttpRequest request(URI uri, String optionsJson, Duration timeLeft) throws FetchError {
        var options = options(optionsJson);
        var publisher = options.body().isEmpty()
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(options.body().get());
        var builder = HttpRequest.newBuilder(uri).timeout(timeLeft).method(options.method(), publisher);
        try {
            options.headers().forEach(builder::header);
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new FetchError("http.fetch: a header is not allowed (" + e.getMessage() + ")");
        }
    }

    /**
     * Answers one request from a flow test's answers instead of the network: the URL and options are
     * checked as for a real request; the allow-list does not apply, since nothing leaves the machine.
     * The answer has the shape of {@link #fetch}'s.
     */
    static String answer(FetchAnswers answers, String url, String optionsJson) throws FetchError {
        target(url);
        var options = options(optionsJson);
        var response = answers.answer(new FetchAnswers.Request(options.method(), url, options.headers(), options.body().orElse("")))
                .orElseThrow(() -> new FetchError("http.fetch: the test case has no answer for " + options.method() + " " + url));
        var headers = new LinkedHashMap<String, String>();
        response.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        return Json.writeValue(Map.of("status", response.status(), "headers", headers, "body", response.body()));
    }

    /** A URL a plugin may fetch: http or https with a host. */
    private static URI target(String url) throws FetchError {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new FetchError("http.fetch: not a valid URL");
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new FetchError("http.fetch: only http and https URLs with a host are allowed");
        }
        return uri;
    }

    /** The options a plugin passed to fetch: the method (upper case), headers, and the body as text (JSON written out). */
    private record Options(String method, Map<String, String> headers, Optional<String> body) {
    }

    private static Options options(String optionsJson) throws FetchError {
        JsonNode options;
        try {
            options = Json.read(optionsJson);
        } catch (JsonProcessingException e) {
            throw new FetchError("http.fetch: options are not JSON");
        }
        var method = options.path("method").asText("GET").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new FetchError("http.fetch: method " + method + " is not allowed");
        }
        var body = options.path("body");
        var headers = new LinkedHashMap<String, String>();
        for (var it = options.path("headers").fields(); it.hasNext(); ) {
            var header = it.next();
            headers.put(header.getKey(), header.getValue().asText());
        }
        return new Options(method, headers, body.isMissingNode() || body.isNull() ? Optional.empty()
                : Optional.of(body.isTextual() ? body.asText() : body.toString()));
    }

    boolean allowed(URI uri) {
        var host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        for (var entry : allowedHosts) {
            var entryHost = entry;
            int entryPort = -1;
            int colon = entry.lastIndexOf(':');
            if (colon > 0 && entry.indexOf(']') < colon) {
                entryHost = entry.substring(0, colon);
                try {
                    entryPort = Integer.parseInt(entry.substring(colon + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
            }
            boolean hostMatches = entryHost.startsWith("*.")
                    ? host.endsWith(entryHost.substring(1)) && host.length() > entryHost.length() - 1
                    : host.equals(entryHost);
            if (hostMatches && (entryPort == -1 || entryPort == port)) {
                return true;
            }
        }
        return false;
    }
}
