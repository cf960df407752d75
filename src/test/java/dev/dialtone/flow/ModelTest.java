package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dialtone.plugin.CallState;
import dev.dialtone.plugin.RecordedActions;
import dev.dialtone.plugin.ToolCallContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A flow file becomes the model it says, templates fill in, and built-in tools post their actions. */
class ModelTest {
    static final String DESIGN_EXAMPLE = """
            name: luigis
            numbers: ["+15550001111"]
            default: false
            greeting: "Thanks for calling Luigi's! What can I get you?"
            prompt: |
              You are the phone host at Luigi's Pizza. Caller: {{call.from}}.
            stt: { provider: deepgram, model: nova-3, language: en-US, endpointing: 300, keyterms: [calzone] }
            llm: { provider: openai, model: gpt-4o-mini, temperature: 0.3 }
            tts: { provider: deepgram, voice: aura-2-thalia-en }
            tools: [menu_price, end_call]
            turn: { min_interrupt_words: 2, silence_reprompt_s: 8, max_call_s: 900 }
            start: take_order
            nodes:
              take_order:
                prompt: Take the order item by item, then read it back.
                tools: [menu_price, place_order]
                next: { goodbye: "The order was placed" }
              goodbye:
                say: "Thanks! Your pizza is on its way."
                end: true
            dtmf: { "0": { transfer: "+15550009999" }, "9": hangup, "1": { node: take_order } }
            """;

    static Flow parse(String text) {
        var problems = new ArrayList<Problem>();
        var flow = FlowParser.parse(Path.of("t.yaml"), text, problems).orElseThrow().flow();
        assertThat(problems).isEmpty();
        return flow;
    }

    @Test
    void designExampleParsesIntoTheModel() {
        var flow = parse(DESIGN_EXAMPLE);
        assertThat(flow.name()).isEqualTo("luigis");
        assertThat(flow.numbers()).containsExactly("+15550001111");
        assertThat(flow.isDefault()).isFalse();
        assertThat(flow.greeting().orElseThrow().text()).isEqualTo("Thanks for calling Luigi's! What can I get you?");
        assertThat(flow.stt()).isEqualTo(new ProviderBlock("deepgram", Optional.of("nova-3"), Optional.of("en-US"), Optional.empty(),
                Optional.empty(), Map.of("endpointing", 300, "keyterms", List.of("calzone"))));
        assertThat(flow.stt().intExtra("endpointing")).contains(300);
        assertThat(flow.llm().temperature()).contains(0.3);
        assertThat(flow.tts().voice()).contains("aura-2-thalia-en");
        assertThat(flow.tools()).containsExactly("menu_price", "end_call");
        assertThat(flow.turn()).isEqualTo(new TurnTaking(true, 2, Duration.ofSeconds(8), Duration.ofSeconds(900), false));
        assertThat(flow.start()).contains("take_order");
        assertThat(flow.nodes().keySet()).containsExactly("take_order", "goodbye");
        var takeOrder = flow.node("take_order").orElseThrow();
        assertThat(takeOrder.tools()).containsExactly("menu_price", "place_order");
        assertThat(takeOrder.next()).isEqualTo(Map.of("goodbye", "The order was placed"));
        assertThat(takeOrder.end()).isFalse();
        assertThat(flow.node("goodbye").orElseThrow().end()).isTrue();
        assertThat(flow.dtmf()).isEqualTo(Map.of("0", new DtmfRoute.Transfer("+15550009999"), "9", new DtmfRoute.Hangup(),
                "1", new DtmfRoute.ToNode("take_order")));
    }

    @Test
    void minimalFlowGetsDefaults() {
        var flow = parse("name: tiny\n");
        assertThat(flow.turn()).isEqualTo(TurnTaking.DEFAULTS);
        assertThat(flow.stt().provider()).isEqualTo("deepgram");
        assertThat(flow.llm().provider()).isEqualTo("openai");
        assertThat(flow.tts().provider()).isEqualTo("deepgram");
        assertThat(flow.nodes()).isEmpty();
        assertThat(flow.start()).isEmpty();
        assertThat(flow.timezone()).isEqualTo(java.time.ZoneOffset.UTC);
    }

    @Test
    void startDefaultsToTheFirstNode() {
        assertThat(parse("name: a\nnodes:\n  first: { prompt: x, next: { second: y } }\n  second: { end: true }\n").start())
                .contains("first");
    }

    @Test
    void templateFillsCallStateAndTime() {
        var unknown = new ArrayList<String>();
        var t = Template.parse("From {{call.from}} to {{ call.to }}; order: {{state.order}}; missing: [{{state.nope}}]; at {{now}}.", unknown);
        assertThat(unknown).isEmpty();
        var now = ZonedDateTime.of(2026, 11, 28, 12, 30, 0, 0, ZoneId.of("America/New_York"));
        assertThat(t.render(new TemplateValues("+15551230000", "+15550001111", Map.of("order", "1 large margherita"), now)))
                .isEqualTo("From +15551230000 to +15550001111; order: 1 large margherita; missing: []; at Saturday 28 November 2026, 12:30 EST.");
        var noPlaceholders = Template.of("just {text} with { braces }");
        assertThat(noPlaceholders.render(new TemplateValues("a", "b", Map.of(), now))).isEqualTo("just {text} with { braces }");
    }

    @Test
    void unknownPlaceholdersAreCollected() {
        var unknown = new ArrayList<String>();
        Template.parse("{{call.sid}} {{state.ok}} {{state.}} {{weather}}", unknown);
        assertThat(unknown).containsExactly("call.sid", "state.", "weather");
    }

    @Test
    void builtinToolsPostActions() {
        var actions = new RecordedActions();
        var ctx = new ToolCallContext("CA1", "+15551230000", "+15550001111", "luigis", Optional.of("take_order"), new CallState(), actions);
        assertThat(BuiltinTools.endCall().invoke("{}", ctx).forModel()).isEqualTo("{\"ending\":true}");
        assertThat(BuiltinTools.transferCall("+15550009999").invoke("{\"reason\":\"manager\"}", ctx).forModel()).isEqualTo("{\"transferring\":true}");
        var transition = BuiltinTools.transition("goodbye", "The order was placed");
        assertThat(transition.name()).isEqualTo("goto_goodbye");
        assertThat(transition.description()).contains("The order was placed");
        assertThat(transition.invoke("{}", ctx).forModel()).isEqualTo("{\"moved_to\":\"goodbye\"}");
        assertThat(actions.all()).containsExactly("hangup", "transfer:+15550009999", "goto:goodbye");
    }
}
