package dev.dialtone.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.dialtone.net.Json;
import dev.dialtone.Secret;
import dev.dialtone.conversation.CallLog;
import dev.dialtone.conversation.CallTranscript;
import dev.dialtone.conversation.Turn;

/**
 * {@code GET /api/events}: what happens on calls, live, as server-sent events for the console:
 * {@code event: call} (a call summary, when a call starts, changes node, finishes a turn or ends)
 * and {@code event: turn} ({@code {callSid, turn}}). It is a {@link CallLog}, so it sees calls as
 * the store does; each subscriber has a bounded queue, and one that cannot keep up is dropped
 * rather than slowing a call down.
 */
public final class LiveFeed implements CallLog {
    private static final int QUEUE = 256;
    private static final Duration PING = Duration.ofSeconds(15);

    private final Set<BlockingQueue<String>> subscribers = new CopyOnWriteArraySet<>();
    private final AdminToken token;

    public LiveFeed(Secret token) {
        this.token = new AdminToken(token);
    }

    /**
     * Serves one subscriber until it goes away; blocks its (virtual) request thread. The token may
     * come as {@code ?token=}: the browser's {@code EventSource} cannot send headers.
     */
    public void serve(ServerRequest req, ServerResponse res) {
        if (!token.inHeaderOrQuery(req.headers(), req.query())) {
            AdminToken.refuse(res, "missing or wrong admin token (bearer header or ?token=)");
            return;
        }
        res.headers().set(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.headers().set(HeaderNames.CACHE_CONTROL, "no-cache");
        var queue = new ArrayBlockingQueue<String>(QUEUE);
        subscribers.add(queue);
        try (OutputStream out = res.outputStream()) {
            write(out, ": connected\n\n");
            while (subscribers.contains(queue)) {
                var next = queue.poll(PING.toMillis(), TimeUnit.MILLISECONDS);
                write(out, next == null ? ": ping\n\n" : next);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the subscriber went away
        } finally {
            subscribers.remove(queue);
        }
    }

    int subscribers() {
        return subscribers.size();
    }

    @Override
    public void started(CallTranscript call) {
        if (!subscribers.isEmpty()) {
            publish("call", CallJson.summary(call));
        }
    }

    @Override
    public void turn(CallTranscript call, Turn.View turn) {
        if (subscribers.isEmpty()) {
            return; // nobody watches: no JSON to build
        }
        var node = Json.MAPPER.createObjectNode();
        node.put("callSid", call.callSid());
        node.set("turn", CallJson.turn(turn));
        publish("turn", node);
        publish("call", CallJson.summary(call));
    }

    @Override
    public void note(CallTranscript call, CallTranscript.CallNote note) {
        if (note.kind().equals("node") && !subscribers.isEmpty()) {
            publish("call", CallJson.summary(call));
        }
    }

    @Override
    public void ended(CallTranscript call) {
        if (!subscribers.isEmpty()) {
            publish("call", CallJson.summary(call));
        }
    }

    @Override
    public void usage(CallTranscript call, String provider, String kind, long input, long output) {
    }

    /** An event of a call held by another instance of the fleet (see {@link FleetRelay}). */
    void relay(String event, ObjectNode data) {
        publish(event, data);
    }

    private void publish(String event, ObjectNode data) {
        if (subscribers.isEmpty()) {
            return;
        }
        var text = "event: " + event + "\ndata: " + data + "\n\n";
        for (var queue : subscribers) {
            if (!queue.offer(text)) {
                subscribers.remove(queue); // too slow: it reconnects and reloads
            }
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
