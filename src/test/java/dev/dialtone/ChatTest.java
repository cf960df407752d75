package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeOpenAi;

/** {@code bin/dialtone chat FLOW}: typed turns in, the agent's words out, tools live. */
class ChatTest {

    @Test
    void aTypedConversationUsesTheFlowsLlmAndTools(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("flows/shop.yaml"), """
                name: shop
                default: true
                greeting: Welcome to the shop.
                tools: [price]
                """);
        Files.writeString(dir.resolve("plugins/price.js"), """
                export default {
                  description: "Price of an item",
                  parameters: { type: "object", properties: { item: { type: "string" } }, required: ["item"] },
                  run(args) { return { item: args.item, price: 3 }; }
                };
                """);
        try (var llm = FakeOpenAi.start("k")) {
            llm.enqueue(Reply.toolCalls(new Call("c1", "price", "{\"item\":\"tea\"}")))
               .enqueue(Reply.text("Tea is three dollars."));
            var settings = TestSettings.with(Map.of("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", llm.baseUrl().toString(),
                                                    "DIALTONE_FLOWS", dir.resolve("flows").toString(),
                                                    "DIALTONE_PLUGINS", dir.resolve("plugins").toString()));
            var out = new ByteArrayOutputStream();
            int exit = Chat.run(settings, new String[] {"shop"}, new BufferedReader(new StringReader("how much is tea?\n")),
                                new PrintStream(out, true, StandardCharsets.UTF_8));
            var text = out.toString(StandardCharsets.UTF_8);
            assertThat(exit).isZero();
            assertThat(text).contains("agent: Welcome to the shop.").contains("agent: Tea is three dollars.");
            var second = llm.requests().get(1).body().path("messages").toString();
            assertThat(second).contains("Welcome to the shop.").contains("how much is tea?").contains("price\\\":3");
        }
    }

    @Test
    void anUnknownFlowIsNamedWithTheFlowsThereAre(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("flows"));
        Files.writeString(dir.resolve("flows/shop.yaml"), "name: shop\ndefault: true\n");
        var settings = TestSettings.with(Map.of("DIALTONE_FLOWS", dir.resolve("flows").toString(),
                                                "DIALTONE_PLUGINS", dir.resolve("plugins").toString()));
        var out = new ByteArrayOutputStream();
        int exit = Chat.run(settings, new String[] {"nope"}, new BufferedReader(new StringReader("")),
                            new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("No flow named 'nope'").contains("shop");
    }
}
