package dev.dialtone.flow;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One validated flow file: which numbers it answers, what the agent says and knows, which providers
 * and tools it uses, and optionally a state machine of {@link FlowNode}s starting at {@code start}.
 * {@code transferTo} is where the built-in transfer_call tool sends the caller, and {@code transfer} how
 * (cold or warm, {@link TransferSpec}). {@code testsGate}: its
 * tests must pass before a new version goes live; {@code stagingCallers}: the callers a draft of it
 * answers (read only from a draft file); {@code redaction} is what the call's record masks;
 * {@code analysis} runs when a call ends; {@code phone}: voicemail, screening and recording;
 * {@code webhooks}: where call events are sent. Immutable.
 */
public record Flow(String name, Path file, List<String> numbers, boolean isDefault, Optional<Template> greeting,
                   Template prompt, ProviderBlock stt, ProviderBlock llm, ProviderBlock tts, List<String> tools,
                   TurnTaking turn, Optional<String> start, Map<String, FlowNode> nodes, Map<String, DtmfRoute> dtmf,
                   Optional<String> transferTo, ZoneId timezone, boolean debug, boolean testsGate,
                   List<String> stagingCallers, Redaction redaction, Optional<AnalysisSpec> analysis,
                   PhoneFeatures phone, List<FlowWebhook> webhooks, Optional<TransferSpec> transfer) {
    public Flow {
        numbers = List.copyOf(numbers);
        stagingCallers = List.copyOf(stagingCallers);
        tools = List.copyOf(tools);
        webhooks = List.copyOf(webhooks);
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        dtmf = Collections.unmodifiableMap(new LinkedHashMap<>(dtmf));
    }

    public Optional<FlowNode> node(String name) {
        return Optional.ofNullable(nodes.get(name));
    }
}
