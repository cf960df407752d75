package dev.dialtone.web;

import java.util.Locale;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.dialtone.net.Json;
import dev.dialtone.replay.Exchange;
import dev.dialtone.replay.Replay;
import dev.dialtone.store.VersionDiff;

/** The JSON of a replay and of a version diff, as the API answers and the console and CLI read them. */
final class ReplayJson {
    private ReplayJson() {
    }

    /**
     * {@code {callSid, original: {flow, version, label}, replay: {...}, differs, problem, rows: [{index, step,
     * differences: [...], stateChanged: [...], original: EXCHANGE, replay: EXCHANGE|null}]}}, an exchange
     * being {@code {agent, tools: [{name, arguments, result, error}], nodes: [...], state: {...}|null, ended}}.
     */
    static ObjectNode replay(Replay replay) {
        var node = Json.MAPPER.createObjectNode().put("callSid", replay.callSid());
        side(node.putObject("original"), replay.original());
        side(node.putObject("replay"), replay.replay());
        node.put("differs", replay.differs());
        node.put("problem", replay.problem());
        var rows = node.putArray("rows");
        for (var row : replay.rows()) {
            var r = rows.addObject().put("index", row.index()).put("step", row.step());
            r.putPOJO("differences", row.differences());
            r.putPOJO("stateChanged", row.stateChanged());
            exchange(r.putObject("original"), row.original());
            if (row.replay() == null) {
                r.putNull("replay");
            } else {
                exchange(r.putObject("replay"), row.replay());
            }
        }
        return node;
    }

    private static void side(ObjectNode node, Replay.Side side) {
        node.put("flow", side.flow()).put("version", side.version()).put("label", side.label());
    }

    private static void exchange(ObjectNode node, Exchange e) {
        node.put("agent", e.agent());
        var tools = node.putArray("tools");
        e.tools().forEach(t -> tools.addObject().put("name", t.name()).put("arguments", t.arguments())
                .put("result", t.result()).put("error", t.error()));
        node.putPOJO("nodes", e.nodes());
        if (e.state() == null) {
            node.putNull("state");
        } else {
            node.putPOJO("state", e.state());
        }
        node.put("ended", e.ended());
    }

    /** {@code {from, to, changed, files: [{path, status, lines: [{kind, old, new, text}]}]}}. */
    static ObjectNode diff(VersionDiff diff) {
        var node = Json.MAPPER.createObjectNode().put("from", diff.from()).put("to", diff.to()).put("changed", diff.changed());
        var files = node.putArray("files");
        for (var file : diff.files()) {
            var f = files.addObject().put("path", file.path()).put("status", file.status().name().toLowerCase(Locale.ROOT));
            var lines = f.putArray("lines");
            file.lines().forEach(l -> lines.addObject().put("kind", l.kind().name().toLowerCase(Locale.ROOT)).put("old", l.oldNumber())
                    .put("new", l.newNumber()).put("text", l.text()));
        }
        return node;
    }
}
