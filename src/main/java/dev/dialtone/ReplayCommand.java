package dev.dialtone;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dialtone.net.Json;

/**
 * {@code bin/dialtone replay CALL_SID [--flow NAME] [--draft | --version HASH] [--url URL]}: asks the
 * running server ({@code POST /api/calls/SID/replay}, with the admin token) to replay a stored call's
 * caller turns on another version of its flow (the live one by default, the flow's draft, or a
 * stored version) and prints the call and the replay side by side, the rows that differ marked.
 * Exit 0 when the replay answered as the call did, 1 when it differs, 2 when it could not run.
 */
final class ReplayCommand {
    static final int WIDTH = 120;
    private static final String USAGE = "usage: bin/dialtone replay CALL_SID [--flow NAME] [--draft | --version HASH] [--url URL]";

    private ReplayCommand() {
    }

    static int run(Settings settings, String[] args, PrintStream out) {
        String sid = null;
        var body = Json.MAPPER.createObjectNode().put("target", "live");
        var url = "http://localhost:" + settings.port();
        for (int i = 0; i < args.length; i++) {
            var arg = args[i];
            boolean hasValue = i + 1 < args.length;
            switch (arg) {
                case "--flow" -> {
                    if (!hasValue) {
                        out.println(USAGE);
                        return 2;
                    }
                    body.put("flow", args[++i]);
                }
                case "--draft" -> body.put("target", "draft");
                case "--version" -> {
                    if (!hasValue) {
                        out.println(USAGE);
                        return 2;
                    }
                    body.put("target", "version").put("version", args[++i]);
                }
                case "--url" -> {
                    if (!hasValue) {
                        out.println(USAGE);
                        return 2;
                    }
                    url = args[++i];
                }
                default -> {
                    if (arg.startsWith("-") || sid != null) {
                        out.println(USAGE);
                        return 2;
                    }
                    sid = arg;
                }
            }
        }
        if (sid == null) {
            out.println(USAGE);
            return 2;
        }
        var token = Main.resolveAdminToken(settings);
        var request = HttpRequest.newBuilder(URI.create(url + "/api/calls/" + URLEncoder.encode(sid, StandardCharsets.UTF_8) + "/replay"))
                .header("Authorization", "Bearer " + token.value())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(10))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        try (var client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            var response = client.send(request, HttpResponse.BodyHandlers.ofString());
            var json = Json.read(response.body());
            if (response.statusCode() != 200) {
                out.println("replay: " + json.path("error").asText("the server answered " + response.statusCode()));
                return 2;
            }
            out.print(render(json, WIDTH));
            return json.path("differs").asBoolean() ? 1 : 0;
        } catch (IOException e) {
            out.println("replay: cannot reach the server at " + url + " (" + e.getClass().getSimpleName()
                    + "); is it running? (bin/dialtone serve; --url to name another)");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
    }

    /** The replay's JSON (see the API) as two columns, the stored call left, the replay right. */
    static String render(JsonNode replay, int width) {
        int column = (width - 3) / 2;
        var out = new StringBuilder();
        out.append("Call ").append(replay.path("callSid").asText()).append('\n');
        pair(out, column, List.of(side(replay.path("original"))), List.of(side(replay.path("replay"))), " ");
        out.append("-".repeat(width)).append('\n');
        for (var row : replay.path("rows")) {
            var differences = new ArrayList<String>();
            row.path("differences").forEach(d -> differences.add(d.asText()));
            out.append(differences.isEmpty() ? "  " : "≠ ").append(row.path("index").asInt()).append(". ")
               .append(row.path("step").asText());
            if (!differences.isEmpty()) {
                out.append("   [differs: ").append(String.join(", ", differences)).append(']');
            }
            out.append('\n');
            var changed = new ArrayList<String>();
            row.path("stateChanged").forEach(d -> changed.add(d.asText()));
            var left = sections(row.path("original"), List.of());
            var right = sections(row.path("replay"), changed);
            for (int i = 0; i < left.size(); i++) {
                pair(out, column, left.get(i), right.get(i), differences.isEmpty() ? " " : "≠");
            }
        }
        if (replay.hasNonNull("problem")) {
            out.append("! ").append(replay.path("problem").asText()).append('\n');
        }
        out.append(replay.path("differs").asBoolean() ? "The replay differs from the call.\n" : "The replay answered as the call did.\n");
        return out.toString();
    }

    private static String side(JsonNode side) {
        var version = side.path("version").asText("");
        return side.path("label").asText() + ": " + side.path("flow").asText() + " @ " + version.substring(0, Math.min(12, version.length()));
    }

    /** An exchange as sections (tools, nodes, agent, state, end), so the two sides line up section by section. */
    private static List<List<String>> sections(JsonNode exchange, List<String> changed) {
        var tools = new ArrayList<String>();
        var nodes = new ArrayList<String>();
        var agent = new ArrayList<String>();
        var state = new ArrayList<String>();
        var end = new ArrayList<String>();
        if (exchange.isNull() || exchange.isMissingNode()) {
            return List.of(List.of("(not reached)"), nodes, agent, state, end);
        }
        for (var tool : exchange.path("tools")) {
            tools.add("tool " + tool.path("name").asText() + " " + tool.path("arguments").asText()
                    + (tool.path("error").asBoolean() ? " -> error" : ""));
        }
        exchange.path("nodes").forEach(n -> nodes.add("(now in node " + n.asText() + ")"));
        if (!exchange.path("agent").asText().isEmpty()) {
            agent.add("agent: " + exchange.path("agent").asText());
        }
        if (!changed.isEmpty()) {
            var values = new ArrayList<String>();
            changed.forEach(k -> values.add(k + "=" + exchange.path("state").path(k).asText("(unset)")));
            state.add("state: " + String.join(", ", values));
        }
        if (exchange.path("ended").asBoolean()) {
            end.add("(the call ended)");
        }
        return List.of(tools, nodes, agent, state, end);
    }

    private static void pair(StringBuilder out, int column, List<String> left, List<String> right, String mark) {
        var l = wrap(left, column);
        var r = wrap(right, column);
        for (int i = 0; i < Math.max(l.size(), r.size()); i++) {
            var a = i < l.size() ? l.get(i) : "";
            var b = i < r.size() ? r.get(i) : "";
            out.append(a).append(" ".repeat(column - a.length())).append(' ').append(mark).append(' ').append(b).append('\n');
        }
    }

    private static List<String> wrap(List<String> lines, int width) {
        var out = new ArrayList<String>();
        for (var line : lines) {
            var rest = line;
            boolean first = true;
            while (!rest.isEmpty()) {
                var room = first ? width : width - 2;
                var cut = rest.length() <= room ? rest.length() : Math.max(rest.lastIndexOf(' ', room), room / 2);
                out.add((first ? "" : "  ") + rest.substring(0, cut).stripTrailing());
                rest = rest.substring(cut).stripLeading();
                first = false;
            }
        }
        return out;
    }
}
