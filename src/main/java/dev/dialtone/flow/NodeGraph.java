package dev.dialtone.flow;

import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a flow's state machine: the start node exists, every transition leads to a node, end
 * nodes have no transitions, and every node can be reached from the start (by transitions or by
 * a dtmf route). Problems point at the line of the offending node or transition.
 */
final class NodeGraph {
    private NodeGraph() {
    }

    static void check(YamlFields in, Map<String, FlowNode> nodes, Map<String, Integer> nodeLines,
                      Map<String, Map<String, Integer>> nextLines, Optional<String> start, int startLine,
                      Map<String, DtmfRoute> dtmf) {
        if (nodes.isEmpty()) {
            start.ifPresent(s -> in.error(startLine, "start names node '" + s + "' but the flow has no nodes"));
            return;
        }
        if (start.isPresent() && !nodes.containsKey(start.get())) {
            in.error(startLine, "start node '" + start.get() + "' does not exist" + Names.didYouMean(start.get(), nodes.keySet()));
        }
        for (var node : nodes.values()) {
            var lines = nextLines.getOrDefault(node.name(), Map.of());
            if (node.end() && !node.next().isEmpty()) {
                in.error(nodeLines.get(node.name()), "node " + node.name() + " has end: true and next transitions; an end node cannot go on");
            }
            for (var target : node.next().keySet()) {
                if (!nodes.containsKey(target)) {
                    in.error(lines.getOrDefault(target, nodeLines.get(node.name())), "node " + node.name() + " has next '" + target
                            + "', which is not a node" + Names.didYouMean(target, nodes.keySet()));
                }
            }
        }
        var first = start.filter(nodes::containsKey).orElse(nodes.keySet().iterator().next());
        var reached = new LinkedHashSet<String>();
        var queue = new ArrayDeque<String>();
        queue.add(first);
        dtmf.values().forEach(r -> {
            if (r instanceof DtmfRoute.ToNode(var n)) {
                queue.add(n);
            }
        });
        while (!queue.isEmpty()) {
            var name = queue.poll();
            if (nodes.containsKey(name) && reached.add(name)) {
                queue.addAll(nodes.get(name).next().keySet());
            }
        }
        for (var name : nodes.keySet()) {
            if (!reached.contains(name)) {
                in.error(nodeLines.get(name), "node " + name + " cannot be reached from start node " + first
                        + " (no next transition or dtmf route leads to it)");
            }
        }
    }
}
