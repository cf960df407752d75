package dev.dialtone.web;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
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
import dev.dialtone.analysis.Analyses;
import dev.dialtone.conversation.CallAction;
import dev.dialtone.conversation.Switchboard;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.store.AnalysisRecord;
import dev.dialtone.store.CallDetail;
import dev.dialtone.store.CallQuery;
import dev.dialtone.store.CallStatus;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.WebhookDelivery;
import dev.dialtone.store.Fleet;
import dev.dialtone.store.StoreException;
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
    private static final System.Logger LOG = System.getLogger(AdminApi.class.getName());
    private static final String E164 = "\\+[1-9][0-9]{6,14}";

    private final AdminToken token;
    private final FlowRegistry flows;
    private final Switchboard switchboard;
    private final CallStore store;
    private final TwilioCalls twilio;
    private final Optional<URI> publicUrl;
    private final FleetRelay fleet;
    private final Analyses analyses;
    private final RecordingProxy recordings;

    /** @param fleet the other instances sharing the database: their calls, flow versions, and a way to their calls */
    public AdminApi(Secret token, FlowRegistry flows, Switchboard switchboard, CallStore store, TwilioCalls twilio,
                    Optional<URI> publicUrl, FleetRelay fleet,
                    Analyses analyses) {
        this.analyses = analyses;
        this.token = new AdminToken(token);
        this.flows = flows;
        this.switchboard = switchboard;
        this.store = store;
        this.twilio = twilio;
        this.publicUrl = publicUrl;
        this.fleet = fleet;
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
             .post("/calls/{sid}/analysis", this::analyse)
             .get("/calls/{sid}/webhooks", this::webhooks)
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

    /**
     * The flows, each with the version every live instance of the fleet serves ({@code instances})
     * and whether they all serve the same one ({@code consistent}).
     */
    private void listFlows(ServerRequest req, ServerResponse res) {
        var out = Json.MAPPER.createArrayNode();
        var members = fleetMembers();
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
            var served = node.putObject("instances");
            served.put(fleet.fleet().instanceId(), status.version().orElse(null));
            members.stream().filter(m -> !m.id().equals(fleet.fleet().instanceId()))
                   .forEach(m -> served.put(m.id(), m.flows().get(status.name())));
            var versions = new HashSet<String>();
            served.forEach(v -> versions.add(v.isNull() ? "" : v.asText()));
            node.put("consistent", versions.size() == 1);
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
        var analysis = q.first("analysis");
        var fields = new LinkedHashMap<String, String>();
        for (var name : q.names()) {
            if (name.startsWith("analysis.") && name.length() > "analysis.".length()) {
                fields.put(name.substring("analysis.".length()), q.first(name).orElse(""));
            }
        }
        if (analysis.isPresent() || !fields.isEmpty()) {
            AnalysisRecord.Status wanted = null;
            if (analysis.isPresent()) {
                try {
                    wanted = AnalysisRecord.Status.valueOf(analysis.get().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("analysis must be done, invalid or failed");
                }
            }
            query = query.withAnalysis(wanted, fields);
        }
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

    /** The calls held here, then those the other instances of the fleet hold. */
    private void activeCalls(ServerRequest req, ServerResponse res) {
        var out = Json.MAPPER.createArrayNode();
        var here = fleet.fleet().instanceId();
        var seen = new HashSet<String>();
        switchboard.active().forEach(session -> {
            seen.add(session.transcript().callSid());
            out.add(CallJson.summary(session.transcript()).put("instance", here));
        });
        fleetCalls().stream().filter(c -> !c.instanceId().equals(here) && !seen.contains(c.callSid()))
                    .forEach(c -> out.add(CallJson.live(c)));
        send(res, Status.OK_200, out);
    }

    private List<Fleet.FleetCall> fleetCalls() {
        try {
            return fleet.fleet().liveCalls();
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.WARNING, "Listing this instance''s calls only: {0}", e.getMessage());
            return List.of();
        }
    }

    private List<Fleet.Member> fleetMembers() {
        try {
            return fleet.fleet().members();
        } catch (StoreException e) {
            LOG.log(System.Logger.Level.WARNING, "Flows without the other instances'' versions: {0}", e.getMessage());
            return List.of();
        }
    }

    private void call(ServerRequest req, ServerResponse res) {
        var sid = req.path().pathParameters().get("sid");
        var live = switchboard.transcript(sid).map(CallJson::detail);
        var found = live.or(() -> store.findCall(sid).map(CallJson::detail));
        // a call that ended a moment ago is still read from memory; its analysis is only in the store
        live.ifPresent(node -> store.findCall(sid).flatMap(CallDetail::analysis).ifPresent(a -> CallJson.analysis(node, a)));
        found.ifPresentOrElse(node -> send(res, Status.OK_200, node),
                              () -> error(res, Status.NOT_FOUND_404, "no call " + sid));
    }

    /** Runs the call's post-call analysis again (202: it runs in the background; the call page shows the result). */
    private void analyse(ServerRequest req, ServerResponse res) {
        var sid = req.path().pathParameters().get("sid");
        switch (analyses.rerun(sid).orElse(null)) {
            case null -> error(res, Status.NOT_FOUND_404, "no call " + sid);
            case Analyses.Result.Started started -> send(res, Status.ACCEPTED_202, Json.MAPPER.createObjectNode().put("status", "started"));
            case Analyses.Result.Refused refused -> error(res, Status.CONFLICT_409, refused.why());
        }
    }

    /**
     * The call's webhook deliveries: no bodies (they are the call's content, sent only to their URLs)
     * and only the target's host, since a URL's path or query may itself be a credential.
     */
    private void webhooks(ServerRequest req, ServerResponse res) {
        var sid = req.path().pathParameters().get("sid");
        var list = Json.MAPPER.createArrayNode();
        for (var d : store.webhooks().forCall(sid)) {
            var row = list.addObject().put("id", d.id()).put("event", d.event()).put("target", targetHost(d.url())).put("status", d.status())
                    .put("attempts", d.attempts()).put("created_at", d.createdAt().toString());
            if (d.status().equals(WebhookDelivery.PENDING)) {
                row.put("next_at", d.nextAt().toString());
            }
            d.lastError().ifPresent(e -> row.put("last_error", e));
        }
        send(res, Status.OK_200, Json.MAPPER.createObjectNode().set("deliveries", list));
    }

    /** "host" or "host:port" of a webhook URL, nothing else of it. */
    static String targetHost(String url) {
        try {
            var uri = URI.create(url);
            return uri.getHost() == null ? "(no host)" : uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        } catch (IllegalArgumentException e) {
            return "(not a URL)";
        }
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
            actElsewhere(res, sid, action);
            return;
        }
        session.get().act(action);
        send(res, Status.ACCEPTED_202, Json.MAPPER.createObjectNode().put("callSid", sid).put("accepted", true));
    }

    /** A call another instance holds: the action goes to it through the database. */
    private void actElsewhere(ServerResponse res, String sid, CallAction action) {
        var holder = fleetCalls().stream().filter(c -> c.callSid().equals(sid)).findFirst();
        if (holder.isEmpty() || holder.get().instanceId().equals(fleet.fleet().instanceId())) {
            error(res, Status.NOT_FOUND_404, "no active call " + sid);
            return;
        }
        if (!fleet.act(holder.get().instanceId(), sid, action)) {
            error(res, Status.SERVICE_UNAVAILABLE_503, "call " + sid + " is held by instance " + holder.get().instanceId()
                                                       + ", which this one cannot reach now");
            return;
        }
        send(res, Status.ACCEPTED_202, Json.MAPPER.createObjectNode().put("callSid", sid).put("accepted", true)
                                              .put("instance", holder.get().instanceId()));
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
