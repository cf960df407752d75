package dev.dialtone.flowtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ToolCall;
import dev.dialtone.llm.ToolSpec;

/**
 * The request key ignores what a provider makes up (tool-call ids, JSON spacing) and nothing that
 * decides the answer; a miss says what changed; a cassette reads back what it wrote; replay answers
 * each recording once, in the case it belongs to.
 */
class CassetteTest {
    private static final ToolSpec PRICE = new ToolSpec("price", "Price of an item", "{\"type\":\"object\"}");

    private static ChatRequest request(String system, List<ChatMessage> history) {
        return new ChatRequest("gpt-4o-mini", Optional.of(0.3), Optional.of(400), system, history, List.of(PRICE));
    }

    private static List<ChatMessage> history(String callId, String arguments, String caller) {
        return List.of(new ChatMessage.User(caller), new ChatMessage.Assistant("", List.of(new ToolCall(callId, "price", arguments))),
                       new ChatMessage.ToolResult(callId, "price", "{\"price\": 3}", false));
    }

    @Test
    void theKeyIgnoresToolCallIdsAndJsonSpacingButNotWhatDecidesTheAnswer() {
        var a = RequestPrint.of(request("Be brief.", history("call_abc", "{\"item\": \"tea\"}", "tea?")));
        var b = RequestPrint.of(request("Be brief.", history("toolu_xyz", "{\"item\":\"tea\"}", "tea?")));
        assertThat(b.key()).isEqualTo(a.key());
        assertThat(RequestPrint.of(request("Be briefer.", history("call_abc", "{\"item\": \"tea\"}", "tea?"))).key()).isNotEqualTo(a.key());
        assertThat(RequestPrint.of(request("Be brief.", history("call_abc", "{\"item\": \"tea\"}", "coffee?"))).key()).isNotEqualTo(a.key());
        var hotter = new ChatRequest("gpt-4o-mini", Optional.of(0.9), Optional.of(400), "Be brief.",
                                     history("call_abc", "{\"item\": \"tea\"}", "tea?"), List.of(PRICE));
        assertThat(RequestPrint.of(hotter).key()).isNotEqualTo(a.key());
        var described = new ChatRequest("gpt-4o-mini", Optional.of(0.3), Optional.of(400), "Be brief.",
                history("call_abc", "{\"item\": \"tea\"}", "tea?"), List.of(new ToolSpec("price", "Price in euros", "{\"type\":\"object\"}")));
        assertThat(RequestPrint.of(described).key()).isNotEqualTo(a.key());
    }

    @Test
    void aMissSaysWhatChanged() {
        var recorded = RequestPrint.of(request("Be brief.", history("c1", "{}", "tea?")));
        assertThat(RequestPrint.of(request("Be kind.", history("c1", "{}", "tea?"))).differences(recorded))
                .isEqualTo("the system prompt differs (the flow's or the node's prompt changed, or a {{state.*}} value in it)");
        assertThat(RequestPrint.of(request("Be brief.", history("c1", "{}", "coffee?"))).differences(recorded))
                .isEqualTo("the history differs from message 1 on (what the caller said)");
        var otherResult = List.<ChatMessage>of(new ChatMessage.User("tea?"), new ChatMessage.Assistant("", List.of(new ToolCall("c1", "price", "{}"))),
                                               new ChatMessage.ToolResult("c1", "price", "{\"price\": 4}", false));
        assertThat(RequestPrint.of(request("Be brief.", otherResult)).differences(recorded))
                .startsWith("the history differs from message 3 on (a tool's result");
        var longer = new ArrayList<>(history("c1", "{}", "tea?"));
        longer.add(new ChatMessage.Assistant("Three."));
        assertThat(RequestPrint.of(request("Be brief.", longer)).differences(recorded))
                .isEqualTo("the history has 4 messages where the recording has 3");
    }

    @Test
    void aCassetteReadsBackWhatItWrote(@TempDir Path dir) throws Exception {
        var cassette = Cassette.empty();
        var print = RequestPrint.of(request("Be brief.", history("c1", "{}", "tea?")));
        var events = List.<ChatEvent>of(new ChatEvent.TextDelta("Tea is "), new ChatEvent.TextDelta("3 dollars."),
                new ChatEvent.ToolCallReady(new ToolCall("c2", "price", "{\"item\":\"tea\",\"size\":{\"ml\":250}}")),
                new ChatEvent.Done("tool_calls", new ChatEvent.Usage(12, 5)));
        cassette.add("a case", new Cassette.Recording(2, "caller: tea?", print, events));
        var file = Cassette.beside(dir.resolve("shop.test.yaml"));
        assertThat(file.getFileName().toString()).isEqualTo("shop.test.cassette.json");
        cassette.write(file, "shop");
        var text = Files.readString(file);
        assertThat(text).contains("\"note\" : \"The LLM's answers to the cases of shop.test.yaml");
        assertThat(text).as("arguments are JSON, readable in a diff").contains("\"item\" : \"tea\"");
        var read = Cassette.read(file).recordings("a case");
        assertThat(read).containsExactly(new Cassette.Recording(2, "caller: tea?", print, events));
        Files.writeString(file, "{\"cassette\": 7}");
        assertThatThrownBy(() -> Cassette.read(file)).hasMessageContaining("not a Dialtone cassette of format 1")
                                                    .hasMessageContaining("re-record");
    }

    @Test
    void replayAnswersEachRecordingOnceAndOnlyInItsCase() {
        var cassette = Cassette.empty();
        var asked = request("Be brief.", List.of(new ChatMessage.User("tea?")));
        cassette.add("one", new Cassette.Recording(1, "caller: tea?", RequestPrint.of(asked),
                List.of(new ChatEvent.TextDelta("Three."), new ChatEvent.Done("stop", ChatEvent.Usage.NONE))));
        var llm = CassetteModel.replaying(cassette, "bin/dialtone test-flows --record shop");
        var got = new ArrayList<ChatEvent>();
        llm.beginCase("one");
        llm.at(1, "caller: tea?");
        llm.stream(asked, got::add);
        assertThat(got).containsExactly(new ChatEvent.TextDelta("Three."), new ChatEvent.Done("stop", ChatEvent.Usage.NONE));
        assertThat(llm.problems()).isEmpty();
        got.clear();
        llm.stream(asked, got::add);
        assertThat(got).singleElement().isInstanceOf(ChatEvent.Failed.class);
        assertThat(llm.problems()).singleElement().asString()
                .startsWith("turn 1 (caller: tea?): no recorded LLM answer matches this request: the recording of this case has 1 LLM"
                            + " requests and this is request 2")
                .endsWith("re-record it with bin/dialtone test-flows --record shop (needs the flow's LLM API key)");
        llm.beginCase("two");
        llm.stream(asked, got::add);
        assertThat(llm.problems()).singleElement().asString().startsWith("as the call connects: no recorded LLM answer matches this"
                + " request: the cassette has nothing for this case");
    }
}
