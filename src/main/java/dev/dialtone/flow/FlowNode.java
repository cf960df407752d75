package dev.dialtone.flow;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Collections;
import java.util.LinkedHashMap;

/**
 * One step of a flow's state machine: its task (added to the flow's prompt while the call is in
 * this node), the tools it adds, a line spoken verbatim on entry, the transitions out of it (target
 * node -> when to take it; each becomes a tool the LLM can call), whether the call ends here, the
 * digits it collects on entry, the longer end-of-turn thresholds the caller gets while in it, and
 * the transfer (cold or warm) that follows its line.
 */
public record FlowNode(String name, Optional<Template> prompt, List<String> tools, Optional<Template> say,
                   Map<String, String> next, boolean end, Optional<Collect> collect, Optional<Patience> patience,
                   Optional<TransferSpec> transfer) {
    public FlowNode {
        tools = List.copyOf(tools);
        next = Collections.unmodifiableMap(new LinkedHashMap<>(next));
    }

    FlowNode withTransfer(Optional<TransferSpec> transfer) {
        return new FlowNode(name, prompt, tools, say, next, end, collect, patience, transfer);
    }
}
