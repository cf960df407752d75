package dev.dialtone.web;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.dialtone.net.Json;
import dev.dialtone.Secret;
import dev.dialtone.conversation.CallAction;
import dev.dialtone.conversation.Switchboard;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.store.CallQuery;
import dev.dialtone.store.CallStatus;
import dev.dialtone.store.CallStore;
import dev.dialtone.telephony.TwilioCalls;
import dev.dialtone.telephony.TwilioWebhooks;

/**
 * The admin API under {@code /api} (JSON). Every request needs the admin token as an
 * {@code Authorization: Bearer} header ({@code ?token=} is refused here: only the event stream
 * and the softphone's socket take it, see {@link AdminToken}). Errors are JSON
 * {@code {"error": "..."}}: 400 for bad input, 401 unauthorised, 404 unknown sid. Answers are
 * {@code Cache-Control: no-store}: they hold callers' numbers and words.
 */
public final class AdminApi implements HttpService {
    private static final String E164 = "\\+[1-9][0-9]{6,14}";

    private final AdminToken token;
    private final FlowRegistry flows;
    private final Switchboard switchboard;
    private final CallStore store;
    private final TwilioCalls twilio;
    private final Optional<URI> publicUrl;
    private final RecordingProxy recordings;

    public AdminApi(Secret token, FlowRegistry flows, Switchboard switchboard, CallStore store, TwilioCalls twilio,
                    Optional<URI> publicUrl) {
        this.token = new AdminToken(token);
        this.flows = flows;
        this.switchboard = switchboard;
        this.store = store;
        this.twilio = twilio;
        this.publicUrl = publicUrl;
        this.recordings = new RecordingProxy(store, twilio);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::guard)
             .get("/flows", this::listFlows)
             .post("/flows/reload", this::reload)
             .get("/calls", this::listCalls)
             .post("/calls", this::placeCall)
             .get("/calls/active", this::activeCalls)
             .get("/calls/{sid}", this::call)
             .post("/calls/{sid}/hangup", this::hangUp)
             .post("/calls/{sid}/transfer", this::transfer)
             .get("/calls/{sid}/recordings", recordings::list)
             .get("/calls/{sid}/recordings/{recording}/audio", recordings::audio);
    }

    /** Lets a request through when its bearer header carries the admin token. */
    private void guard(ServerRequest req, ServerResponse res) {
        if (!token.inHeader(req.headers())) {
            AdminToken.refuse(res, req.query().contains("token")
                    ? "?token= is taken only by /api/events and /softphone: send the admin token as Authorization: Bearer"
                    : "missing or wrong admin token (Authorization: Bearer; DIALTONE_ADMIN_TOKEN or the data folder's admin-token file)");
            return;
        }
        res.next();
    }

    private void listFlows(ServerRequest req, ServerResponse res) {
        var out = Json.MAPPER.createArrayNode();
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
            node.put("draft", status.draft());
            node.putPOJO("stagingCallers", status.stagingCallers());
            node.put("tests", status.tests().orElse(null));
        }
        send(res, Status.OK_200, out);
    }

    private void reload(ServerRequest req, ServerResponse res) {
        var outcome = flows.reload();
        var node = Json.MAPPER.createObjectNode();
        node.put("applied", outcome.applied());
        node.put("at", outcome.at().toString());
        node.put("tookMs", outcome.took().toMillis());
        node.putPOJO("changed", outcome.changed());
        var problems = node.putArray("problems");
        outcome.problems().forEach(p -> problems.add(p.toString()));
        send(res, outcome.applied() ? Status.OK_200 : Status.create(422, "Unprocessable Entity"), node);
    }

    private void listCalls(ServerRequest req, ServerResponse res) {
        CallQuery query;
        try {
            query = query(req);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            error(res, Status.BAD_REQUEST_400, e.getMessage());
            return;
        }
        var page = store.findCalls(query);
        var node = Json.MAPPER.createObjectNode();
        node.put("total", page.total());
        node.put("limit", page.limit());
        node.put("offset", page.offset());
        var calls = node.putArray("calls");
        page.calls().forEach(c -> calls.add(switchboard.active(c.sid())
                .map(s -> CallJson.summary(s.transcript())).orElseGet(() -> CallJson.summary(c))));
        send(res, Status.OK_200, node);
    }

    private static CallQuery query(ServerRequest req) {
        var q = req.query();
        var query = CallQuery.all()
                .withFlow(q.first("flow").orElse(null))
                .withNumber(q.first("number").orElse(null))
                .withStartedBetween(q.first("from").map(Instant::parse).orElse(null),
                                    q.first("to").map(Instant::parse).orElse(null))
                .withPage(integer(q.first("limit").asOptional(), CallQuery.DEFAULT_LIMIT),
                          integer(q.first("offset").asOptional(), 0));
        var status = q.first("status");
        if (status.isPresent()) {
            try {
                query = query.withStatus(CallStatus.valueOf(status.get().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("status must be active, completed or failed");
            }
        }
        return query;
    }

    private static int integer(Optional<String> value, int fallback) {
        try {
            return value.map(Integer::parseInt).orElse(fallback);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit and offset must be whole numbers");
        }
    }

    private void placeCall(ServerRequest req, ServerResponse res) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(req.content().as(String.class));
        } catch (IOException e) {
            error(res, Status.BAD_REQUEST_400, "body must be JSON {\"to\", \"from\", \"flow\"}");
            return;
        }
        var to = body.path("to").asText("");
        var from = body.path("from").asText("");
        var flow = body.path("flow").asText("");
        if (!to.matches(E164) || !from.matches(E164)) {
            error(res, Status.BAD_REQUEST_400, "to and from must be E.164 numbers such as +15551230000");
            return;
        }
        if (flows.byName(flow).isEmpty()) {
            error(res, Status.BAD_REQUEST_400, "no flow named '" + flow + "'");
            return;
        }
        if (publicUrl.isEmpty() || !twilio.configured()) {
            error(res, Status.BAD_REQUEST_400, "outbound calls need PUBLIC_URL, TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN");
            return;
        }
        var base = publicUrl.get().toString();
        try {
            // a flow that leaves voicemail needs to know who answered: Twilio's asynchronous machine detection
            var amd = flows.byName(flow).orElseThrow().flow().phone().voicemail().map(v -> URI.create(base + TwilioWebhooks.AMD_PATH));
            var sid = twilio.placeCall(to, from, URI.create(base + "/twilio/voice?flow="
                                                            + URLEncoder.encode(flow, StandardCharsets.UTF_8)),
                                       URI.create(base + "/twilio/status"), amd);
            send(res, Status.CREATED_201, Json.MAPPER.createObjectNode().put("callSid", sid).put("flow", flow));
        } catch (TwilioCalls.TwilioApiError e) {
            error(res, Status.BAD_GATEWAY_502, e.getMessage());
        }
    }

    private void activeCalls(ServerRequest req, ServerResponse res) {
        var out = Json.MAPPER.createArrayNode();
        switchboard.active().forEach(session -> out.add(CallJson.summary(session.transcript())));
        send(res, Status.OK_200, out);
    }

    private void call(ServerRequest req, ServerResponse res) {
        var sid = req.path().pathParameters().get("sid");
        var live = switchboard.transcript(sid).map(CallJson::detail);
        var found = live.or(() -> store.findCall(sid).map(CallJson::detail));
        found.ifPresentOrElse(node -> send(res, Status.OK_200, node),
                              () -> error(res, Status.NOT_FOUND_404, "no call " + sid));
    }

    private void hangUp(ServerRequest req, ServerResponse res) {
        act(req, res, new CallAction.HangUp("operator"));
    }

    private void transfer(ServerRequest req, ServerResponse res) {
        String number;
        try {
            number = Json.MAPPER.readTree(req.content().as(String.class)).path("to").asText("");
        } catch (IOException e) {
            number = "";
        }
        if (!number.matches(E164)) {
            error(res, Status.BAD_REQUEST_400, "body must be {\"to\": \"+E164 number\"}");
            return;
        }
        act(req, res, new CallAction.Transfer(number));
    }

    private void act(ServerRequest req, ServerResponse res, CallAction action) {
        var sid = req.path().pathParameters().get("sid");
        var session = switchboard.active(sid);
        if (session.isEmpty()) {
            error(res, Status.NOT_FOUND_404, "no active call " + sid);
            return;
        }
        session.get().act(action);
        send(res, Status.ACCEPTED_202, Json.MAPPER.createObjectNode().put("callSid", sid).put("accepted", true));
    }

    static void send(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.headers().set(HeaderNames.CONTENT_TYPE, "application/json");
        res.headers().set(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body.toString());
    }

    static void error(ServerResponse res, Status status, String message) {
        send(res, status, Json.MAPPER.createObjectNode().put("error", message));
    }
}
