package dev.dialtone.plugin;

import java.util.Map;
import java.util.Optional;

/**
 * Answers a plugin's {@code call.http.fetch} instead of the network: a flow test gives the
 * responses its case expects the plugin to get. Called on the plugin's runner thread; an
 * implementation must be thread-safe and quick.
 */
@FunctionalInterface
public interface FetchAnswers {

    /** What the plugin asked for: the method upper case, the URL as given, its headers and body text ("" for none). */
    record Request(String method, String url, Map<String, String> headers, String body) {
        public Request {
            headers = Map.copyOf(headers);
        }
    }

    /** What the plugin gets back. */
    record Response(int status, Map<String, String> headers, String body) {
        public Response {
            headers = Map.copyOf(headers);
        }
    }

    /** The answer, or empty when there is none: the plugin's fetch then throws, naming the request. */
    Optional<Response> answer(Request request);
}
