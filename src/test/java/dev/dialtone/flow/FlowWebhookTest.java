package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** A flow's webhooks: read with their secret; an unset ${VAR} secret disables one with a warning at its line; bad events are errors. */
class FlowWebhookTest {
    private static final Path FILE = Path.of("shop.yaml");

    private static Optional<ParsedFlow> parse(String text, List<Problem> problems) {
        return FlowParser.parse(FILE, text, problems);
    }

    @Test
    void aWebhookWithALiteralSecretIsRead() {
        var problems = new ArrayList<Problem>();
        var flow = parse("""
                name: shop
                webhooks:
                  - url: https://hooks.example.com/in
                    events: [call.ended, call.analyzed]
                    secret: s3cret
                """, problems).orElseThrow().flow();
        assertThat(problems).isEmpty();
        assertThat(flow.webhooks()).containsExactly(
                new FlowWebhook("https://hooks.example.com/in", List.of("call.ended", "call.analyzed"), Optional.of("s3cret")));
    }

    @Test
    void anUnsetSecretVariableDisablesThatWebhookWithAWarningAtItsLine() {
        var problems = new ArrayList<Problem>();
        var flow = parse("""
                name: shop
                webhooks:
                  - url: https://hooks.example.com/in
                    events: [call.ended]
                    secret: "${DIALTONE_TEST_SURELY_UNSET_9F3}"
                  - url: https://other.example.com/in
                    events: [call.started]
                """, problems).orElseThrow().flow();
        assertThat(problems).hasSize(1);
        var p = problems.getFirst();
        assertThat(p.isError()).isFalse();
        assertThat(p.line()).isEqualTo(5);
        assertThat(p.message()).contains("DIALTONE_TEST_SURELY_UNSET_9F3", "disabled");
        assertThat(flow.webhooks()).extracting(FlowWebhook::url).containsExactly("https://other.example.com/in");
    }

    @Test
    void anUnknownEventIsAnErrorAtItsLine() {
        var problems = new ArrayList<Problem>();
        parse("""
                name: shop
                webhooks:
                  - url: https://hooks.example.com/in
                    events: [call.ended, call.exploded]
                """, problems);
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.isError()).isTrue();
            assertThat(p.line()).isEqualTo(4);
        });
    }

    @Test
    void aUrlThatIsNotHttpIsAnError() {
        var problems = new ArrayList<Problem>();
        parse("""
                name: shop
                webhooks:
                  - url: ftp://hooks.example.com/in
                    events: [call.ended]
                """, problems);
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.isError()).isTrue();
            assertThat(p.line()).isEqualTo(3);
        });
    }

    @Test
    void aWebhookPrintedNeverShowsItsSecret() {
        var hook = new FlowWebhook("https://kitchen.example/orders", List.of("call.ended"), Optional.of("s3cret-value"));
        assertThat(hook.toString()).contains("kitchen.example").contains("(set)").doesNotContain("s3cret-value");
    }
}
