package dev.dialtone.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.dialtone.Secret;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.net.Json;
import dev.dialtone.replay.ReplayException;
import dev.dialtone.replay.Replays;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.VersionDiff;

/**
 * Flow versions and call replays under {@code /api}, behind the admin token like {@link AdminApi}:
 * <ul>
 * <li>{@code GET /flows/{flow}/versions[?limit=N]}: the stored versions, the latest first;
 * <li>{@code GET /flows/{flow}/versions/{version}}: one, with its files;
 * <li>{@code GET /flows/{flow}/diff?from=A&to=B}: the line diff between two stored versions;
 * <li>{@code POST /calls/{sid}/replay} with {@code {"target": "live"|"draft"|"version", "flow"?, "version"?}}:
 * the stored call's caller turns replayed on that version, beside the call (see {@link ReplayJson}).
 * </ul>
 * Errors are JSON {@code {"error": "..."}}: 400 bad input, 404 unknown, 422 a version that does not
 * load, 429 too many replays at once, 503 no key for the flow's LLM.
 */
public final class VersionApi implements HttpService {
    /** The most bytes a replay request's body may have. */
    static final int MAX_BODY = 4096;
    private static final String NAME = "[A-Za-z0-9_.-]{1,200}";
    private static final String VERSION = "[0-9a-f]{1,128}";

    private final AdminToken token;
    private final FlowRegistry flows;
    private final CallStore store;
    private final Replays replays;

    public VersionApi(Secret token, FlowRegistry flows, CallStore store, Replays replays) {
        this.token = new AdminToken(token);
        this.flows = flows;
        this.store = store;
        this.replays = replays;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::guard)
             .get("/flows/{flow}/versions", this::list)
             .get("/flows/{flow}/versions/{version}", this::version)
             .get("/flows/{flow}/diff", this::diff)
             .post("/calls/{sid}/replay", this::replay);
    }

    private void guard(ServerRequest req, ServerResponse res) {
        if (!token.inHeader(req.headers())) {
            AdminToken.refuse(res, "missing or wrong admin token (Authorization: Bearer)");
            return;
        }
        res.next();
    }

    private void list(ServerRequest req, ServerResponse res) {
        var flow = req.path().pathParameters().get("flow");
        int limit;
        try {
            limit = Integer.parseInt(req.query().first("limit").orElse("100"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (!flow.matches(NAME) || limit < 1 || limit > 500) {
            AdminApi.error(res, Status.BAD_REQUEST_400, "a flow name and a limit of 1 to 500, please");
            return;
        }
        var live = flows.byName(flow).map(v -> v.hash()).orElse("");
        var out = Json.MAPPER.createArrayNode();
        store.versions(flow, limit).forEach(v -> out.addObject().put("version", v.version()).put("liveAt", v.liveAt().toString())
                .put("calls", v.calls()).put("live", v.version().equals(live)));
        AdminApi.send(res, Status.OK_200, out);
    }

    private void version(ServerRequest req, ServerResponse res) {
        var flow = req.path().pathParameters().get("flow");
        var version = req.path().pathParameters().get("version");
        if (!flow.matches(NAME) || !version.matches(VERSION)) {
            AdminApi.error(res, Status.BAD_REQUEST_400, "a flow name and a version (hex), please");
            return;
        }
        store.findVersion(flow, version).ifPresentOrElse(v -> {
            var node = Json.MAPPER.createObjectNode().put("flow", v.flow()).put("version", v.version()).put("liveAt", v.liveAt().toString());
            var files = node.putArray("files");
            v.files().forEach(f -> files.addObject().put("path", f.path()).put("text", f.text()));
            AdminApi.send(res, Status.OK_200, node);
        }, () -> AdminApi.error(res, Status.NOT_FOUND_404, "no stored version " + version + " of flow " + flow));
    }

    private void diff(ServerRequest req, ServerResponse res) {
        var flow = req.path().pathParameters().get("flow");
        var from = req.query().first("from").orElse("");
        var to = req.query().first("to").orElse("");
        if (!flow.matches(NAME) || !from.matches(VERSION) || !to.matches(VERSION)) {
            AdminApi.error(res, Status.BAD_REQUEST_400, "?from=VERSION&to=VERSION, both stored versions of the flow");
            return;
        }
        var a = store.findVersion(flow, from);
        var b = store.findVersion(flow, to);
        if (a.isEmpty() || b.isEmpty()) {
            AdminApi.error(res, Status.NOT_FOUND_404, "no stored version " + (a.isEmpty() ? from : to) + " of flow " + flow);
            return;
        }
        AdminApi.send(res, Status.OK_200, ReplayJson.diff(VersionDiff.between(a.get(), b.get())));
    }

    private void replay(ServerRequest req, ServerResponse res) {
        var sid = req.path().pathParameters().get("sid");
        Replays.Target target;
        try {
            target = target(body(req));
        } catch (IllegalArgumentException e) {
            AdminApi.error(res, Status.BAD_REQUEST_400, e.getMessage());
            return;
        }
        try {
            AdminApi.send(res, Status.OK_200, ReplayJson.replay(replays.replay(sid, target)));
        } catch (ReplayException e) {
            AdminApi.error(res, switch (e.kind()) {
                case NOT_FOUND -> Status.NOT_FOUND_404;
                case INVALID -> Status.create(422, "Unprocessable Entity");
                case UNAVAILABLE -> Status.SERVICE_UNAVAILABLE_503;
                case BUSY -> Status.TOO_MANY_REQUESTS_429;
            }, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            AdminApi.error(res, Status.SERVICE_UNAVAILABLE_503, "the server is stopping");
        }
    }

    private static JsonNode body(ServerRequest req) {
        try (var in = req.content().inputStream()) {
            var bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IllegalArgumentException("the body may have at most " + MAX_BODY + " bytes");
            }
            var text = new String(bytes, StandardCharsets.UTF_8);
            return text.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body must be JSON {\"target\": \"live\"|\"draft\"|\"version\", \"flow\", \"version\"}");
        }
    }

    static Replays.Target target(JsonNode body) {
        var flow = Optional.ofNullable(body.path("flow").textValue()).filter(s -> !s.isEmpty());
        if (flow.isPresent() && !flow.get().matches(NAME)) {
            throw new IllegalArgumentException("flow must be a flow name");
        }
        var version = body.path("version").asText("");
        return switch (body.path("target").asText("live")) {
            case "live" -> new Replays.Target.Live(flow.orElse(null));
            case "draft" -> new Replays.Target.Draft(flow.orElse(null));
            case "version" -> {
                if (!version.matches(VERSION)) {
                    throw new IllegalArgumentException("target version needs \"version\": a stored version's hash");
                }
                yield new Replays.Target.Stored(flow.orElse(null), version);
            }
            default -> throw new IllegalArgumentException("target must be live, draft or version");
        };
    }
}
