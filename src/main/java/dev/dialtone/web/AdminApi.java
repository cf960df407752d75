package dev.dialtone.web;

import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.dialtone.Secret;
import dev.dialtone.conversation.CallAction;
import dev.dialtone.conversation.CallTranscript;
import dev.dialtone.conversation.Switchboard;
import dev.dialtone.flow.FlowRegistry;

/**
 * The admin API under {@code /api} (JSON). Guarded by {@code DIALTONE_ADMIN_TOKEN} as a bearer
 * token; with no token configured, only requests from this machine (loopback) are served.
 */
public final class AdminApi implements HttpService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Secret token;
    private final FlowRegistry flows;
    private final Switchboard switchboard;

    public AdminApi(Secret token, FlowRegistry flows, Switchboard switchboard) {
        this.token = token;
        this.flows = flows;
        this.switchboard = switchboard;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::guard)
             .get("/flows", this::listFlows)
             .post("/flows/reload", this::reload)
             .get("/calls/active", this::activeCalls)
             .get("/calls/{sid}", this::call)
             .post("/calls/{sid}/hangup", this::hangUp)
             .post("/calls/{sid}/transfer", this::transfer);
    }

    private void guard(ServerRequest req, ServerResponse res) {
        if (token.isSet()) {
            var auth = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
            if (!java.security.MessageDigest.isEqual(auth.getBytes(), ("Bearer " + token.value()).getBytes())) {
                error(res, Status.UNAUTHORIZED_401, "missing or wrong bearer token (DIALTONE_ADMIN_TOKEN)");
                return;
            }
        } else if (!(req.remotePeer().address() instanceof java.net.InetSocketAddress peer)
                   || !peer.getAddress().isLoopbackAddress()) {
            error(res, Status.UNAUTHORIZED_401, "set DIALTONE_ADMIN_TOKEN to use the admin API from another machine");
            return;
        }
        res.next();
    }

    private void listFlows(ServerRequest req, ServerResponse res) {
        var out = JSON.createArrayNode();
        for (var status : flows.status()) {
            var node = out.addObject();
            node.put("name", status.name());
            node.put("file", status.file().toString());
            node.put("default", status.isDefault());
            node.putPOJO("numbers", status.numbers());
            node.put("version", status.version().orElse(null));
            node.put("loadedAt", status.loadedAt().map(Object::toString).orElse(null));
            node.put("lastError", status.lastError().orElse(null));
            node.putPOJO("warnings", status.warnings());
        }
        send(res, Status.OK_200, out);
    }

    private void reload(ServerRequest req, ServerResponse res) {
        var outcome = flows.reload();
        var node = JSON.createObjectNode();
        node.put("applied", outcome.applied());
        node.put("at", outcome.at().toString());
        node.put("tookMs", outcome.took().toMillis());
        node.putPOJO("changed", outcome.changed());
        var problems = node.putArray("problems");
        outcome.problems().forEach(p -> problems.add(p.toString()));
        send(res, outcome.applied() ? Status.OK_200 : Status.create(422, "Unprocessable Entity"), node);
    }

    private void activeCalls(ServerRequest req, ServerResponse res) {
        var out = JSON.createArrayNode();
        switchboard.active().forEach(session -> out.add(summary(session.transcript())));
        send(res, Status.OK_200, out);
    }

    private void call(ServerRequest req, ServerResponse res) {
        var sid = req.path().pathParameters().get("sid");
        switchboard.transcript(sid).ifPresentOrElse(
                t -> send(res, Status.OK_200, detail(t)),
                () -> error(res, Status.NOT_FOUND_404, "no call " + sid));
    }

    private void hangUp(ServerRequest req, ServerResponse res) {
        act(req, res, Optional.of(new CallAction.HangUp("operator")));
    }

    private void transfer(ServerRequest req, ServerResponse res) {
        Optional<CallAction> action;
        try {
            var number = JSON.readTree(req.content().as(String.class)).path("to").asText("");
            action = number.matches("\\+[1-9][0-9]{6,14}") ? Optional.of(new CallAction.Transfer(number)) : Optional.empty();
        } catch (java.io.IOException e) {
            action = Optional.empty();
        }
        if (action.isEmpty()) {
            error(res, Status.BAD_REQUEST_400, "body must be {\"to\": \"+E164 number\"}");
            return;
        }
        act(req, res, action);
    }

    private void act(ServerRequest req, ServerResponse res, Optional<CallAction> action) {
        var sid = req.path().pathParameters().get("sid");
        var session = switchboard.active(sid);
        if (session.isEmpty()) {
            error(res, Status.NOT_FOUND_404, "no active call " + sid);
            return;
        }
        session.get().act(action.get());
        send(res, Status.ACCEPTED_202, JSON.createObjectNode().put("callSid", sid).put("accepted", true));
    }

    static ObjectNode summary(CallTranscript t) {
        var node = JSON.createObjectNode();
        node.put("callSid", t.callSid());
        node.put("flow", t.flow());
        node.put("flowVersion", t.flowVersion());
        node.put("from", t.from());
        node.put("to", t.to());
        node.put("node", t.node());
        node.put("startedAt", t.startedAt().toString());
        node.put("endedAt", t.endedAt().map(Object::toString).orElse(null));
        node.put("endReason", t.endReason().orElse(null));
        node.put("turns", t.turns().size());
        return node;
    }

    static ObjectNode detail(CallTranscript t) {
        var node = summary(t);
        ArrayNode turns = node.putArray("transcript");
        for (var turn : t.turns()) {
            var n = turns.addObject();
            n.put("index", turn.index());
            n.put("startedAt", turn.startedAt().toString());
            n.put("caller", turn.callerText());
            n.put("agent", turn.agentText());
            n.put("interrupted", turn.interrupted());
            var timings = n.putObject("timingsMs");
            turn.sttFinalMs().ifPresent(v -> timings.put("sttFinal", v));
            turn.llmFirstTokenMs().ifPresent(v -> timings.put("llmFirstToken", v));
            turn.firstSegmentMs().ifPresent(v -> timings.put("firstSegment", v));
            turn.ttsFirstAudioMs().ifPresent(v -> timings.put("ttsFirstAudio", v));
            turn.firstAudioMs().ifPresent(v -> timings.put("firstAudioSent", v));
            turn.bargeInToClearMs().ifPresent(v -> timings.put("bargeInToClear", v));
            var tools = n.putArray("tools");
            for (var use : turn.tools()) {
                tools.addObject().put("name", use.name()).put("arguments", use.arguments()).put("result", use.result())
                     .put("error", use.error()).put("ms", use.millis());
            }
        }
        var notes = node.putArray("events");
        t.notes().forEach(note -> notes.addObject().put("at", note.at().toString()).put("kind", note.kind())
                                       .put("detail", note.detail()));
        return node;
    }

    private static void send(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.headers().set(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString());
    }

    private static void error(ServerResponse res, Status status, String message) {
        send(res, status, JSON.createObjectNode().put("error", message));
    }
}
