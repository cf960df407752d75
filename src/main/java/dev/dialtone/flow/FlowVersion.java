package dev.dialtone.flow;

import dev.dialtone.plugin.PluginTool;
import dev.dialtone.plugin.Tool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Collections;
import java.util.Comparator;

/**
 * An immutable snapshot of one flow and the tools it uses, as loaded at {@code loadedAt}. A call
 * takes the current version when its stream starts and keeps it to the end, whatever is reloaded
 * meanwhile. {@code hash} covers the flow file and the source of every plugin it uses.
 *
 * @param text        the flow file's text as loaded ("" for a version built in code)
 * @param tools       plugin and built-in tools named anywhere in the flow, by name
 * @param transitions per node, its {@code goto_<target>} tools, in the order of its next entries
 */
public record FlowVersion(Flow flow, Map<String, Tool> tools, Map<String, List<Tool>> transitions, String hash,
                          Instant loadedAt, String text) {
    public FlowVersion {
        tools = Collections.unmodifiableMap(new LinkedHashMap<>(tools));
        transitions = Map.copyOf(transitions);
        text = text == null ? "" : text;
    }

    /** A version with no file text (built in code, or standing in for one). */
    public FlowVersion(Flow flow, Map<String, Tool> tools, Map<String, List<Tool>> transitions, String hash, Instant loadedAt) {
        this(flow, tools, transitions, hash, loadedAt, "");
    }

    /**
     * The text this version was loaded from, by path relative to the server's folders: the flow
     * file ({@code flows/NAME.yaml}), then each plugin it uses ({@code plugins/NAME.js}) by name.
     */
    public Map<String, String> files() {
        var out = new LinkedHashMap<String, String>();
        out.put("flows/" + flow.file().getFileName(), text);
        tools.values().stream().filter(t -> t instanceof PluginTool).map(t -> (PluginTool) t)
                .sorted(Comparator.comparing(PluginTool::name))
                .forEach(p -> out.put("plugins/" + p.file().getFileName(), p.sourceText()));
        return out;
    }

    public String name() {
        return flow.name();
    }

    /**
     * The tools the LLM may call while the call is in {@code node} (empty for a flow without
     * nodes): the flow's tools, then the node's own, then the node's transitions.
     */
    public List<Tool> toolsAt(Optional<String> node) {
        var out = new LinkedHashMap<String, Tool>();
        flow.tools().forEach(t -> out.put(t, tools.get(t)));
        node.flatMap(flow::node).ifPresent(n -> {
            n.tools().forEach(t -> out.put(t, tools.get(t)));
            transitions.getOrDefault(n.name(), List.of()).forEach(t -> out.put(t.name(), t));
        });
        return List.copyOf(new ArrayList<>(out.values()));
    }

    /** The tool the LLM asked for, if it is available in {@code node}. */
    public Optional<Tool> tool(String name, Optional<String> node) {
        return toolsAt(node).stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The node a call starts in, if the flow has nodes. */
    public Optional<String> startNode() {
        return flow.start();
    }

    /** The system prompt for {@code node}: the flow's prompt, then the node's task, both filled in. */
    public String prompt(Optional<String> node, TemplateValues values) {
        var out = new StringBuilder(flow.prompt().render(values).strip());
        node.flatMap(flow::node).flatMap(FlowNode::prompt).ifPresent(p -> {
            if (!out.isEmpty()) {
                out.append("\n\n");
            }
            out.append(p.render(values).strip());
        });
        return out.toString();
    }

    @Override
    public String toString() {
        return "FlowVersion[" + flow.name() + " " + hash + " " + loadedAt + "]";
    }
}
