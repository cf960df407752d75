package dev.dialtone;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.dialtone.fakes.FakeAnthropic;
import dev.dialtone.fakes.FakeLlmServer;
import dev.dialtone.fakes.FakeLlmServer.Call;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeOpenAi;

/**
 * Records the cassettes of the shipped flows' tests (flows/*.test.cassette.json) with
 * {@code bin/dialtone test-flows --record}, against the fake OpenAI and Anthropic servers scripted
 * with plausible answers, in the order the cases ask for them. There are no real keys where these
 * examples are made; an operator records real cassettes with the real LLM and its key the same way.
 * Run it after changing a shipped flow or its tests:
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.dialtone.ShippedCassettes [flows plugins]
 * </pre>
 * Tests reuse the scripts to record into a copy of the folder.
 */
public final class ShippedCassettes {
    private ShippedCassettes() {
    }

    public static void main(String[] args) {
        var flows = Path.of(args.length > 0 ? args[0] : "flows");
        var plugins = Path.of(args.length > 1 ? args[1] : "plugins");
        int exit = record(flows, plugins, System.out);
        System.exit(exit);
    }

    /** Records all three cassettes into {@code flows}; the exit code of the last test-flows run that failed, else 0. */
    public static int record(Path flows, Path plugins, PrintStream out) {
        int exit = 0;
        try (var openAi = FakeOpenAi.start("k"); var anthropic = FakeAnthropic.start("k")) {
            var settings = TestSettings.with(Map.of("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", openAi.baseUrl().toString(),
                                                    "ANTHROPIC_API_KEY", "k", "ANTHROPIC_BASE_URL", anthropic.baseUrl().toString(),
                                                    "DIALTONE_FLOWS", flows.toString(), "DIALTONE_PLUGINS", plugins.toString()));
            luigis(openAi);
            exit = Math.max(exit, TestFlows.run(settings, new String[] {"--record", "luigis"}, out));
            frontDesk(openAi);
            exit = Math.max(exit, TestFlows.run(settings, new String[] {"--record", "front-desk"}, out));
            clinic(anthropic);
            exit = Math.max(exit, TestFlows.run(settings, new String[] {"--record", "clinic"}, out));
        }
        return exit;
    }

    /** The answers for flows/luigis.test.yaml, case by case. */
    public static void luigis(FakeLlmServer llm) {
        // quotes a price from the menu
        llm.enqueue(Reply.toolCalls(new Call("call_price1", "menu_price", "{\"item\": \"pepperoni\"}")))
           .enqueue(Reply.text("A large pepperoni ", "is 17 dollars, ", "and a small one is 12.50. ",
                               "Is this for pickup or delivery?"));
        // checks the delivery area before taking the order
        llm.enqueue(Reply.text("Sure! ", "What's the ZIP code ", "there?"))
           .enqueue(Reply.toolCalls(new Call("call_area1", "check_delivery_area", "{\"street\": \"12 Oak Street\", \"zip\": \"62704\"}")))
           .enqueue(Reply.toolCalls(new Call("call_next1", "goto_take_order", "{}")))
           .enqueue(Reply.text("Good news, ", "we deliver to 62704. ", "What would you like to order?"))
           .enqueue(Reply.text("PASS ", "The agent asked for the ZIP code ", "and only then checked the delivery area."));
        // places the confirmed order with the kitchen
        llm.enqueue(Reply.toolCalls(new Call("call_order1", "place_order", "{\"name\": \"Maria\"}")))
           .enqueue(Reply.text("Thanks, Maria! ", "Your order number is A17, ", "and it will be ready for pickup in 20 minutes."));
        // apologises when the kitchen cannot take the order
        llm.enqueue(Reply.toolCalls(new Call("call_order2", "place_order", "{\"name\": \"Tom\"}")))
           .enqueue(Reply.text("I'm sorry, Tom, ", "our kitchen system is not answering right now. ",
                               "Would you like me to put you through to the restaurant?"));
    }

    /** The answers for flows/front-desk.test.yaml. */
    public static void frontDesk(FakeLlmServer llm) {
        // takes a message and ends the call
        llm.enqueue(Reply.text("Of course, Sam. ", "Should Dana call you back at 555 012 3456, ", "the number you're calling from?"))
           .enqueue(Reply.toolCalls(new Call("call_msg1", "take_message",
                   "{\"name\": \"Sam Lee\", \"callback_number\": \"+15550123456\", \"message\": \"Please call back about the March invoice.\"}")))
           .enqueue(Reply.text("I've noted it: ", "Sam Lee, on 555 012 3456, about the March invoice. ", "Anything else?"))
           .enqueue(Reply.toolCalls(new Call("call_end1", "end_call", "{\"reason\": \"message taken\"}")));
        // does not pretend to look anything up
        llm.enqueue(Reply.text("I'm sorry, ", "I can't look that up from here, ", "but I can take a message for the team. ",
                               "Would you like that?"))
           .enqueue(Reply.text("PASS ", "The agent said it could not look it up and offered to take a message."));
    }

    /** The answers for flows/clinic.test.yaml. */
    public static void clinic(FakeLlmServer llm) {
        // sends urgent symptoms to the nurse line
        llm.enqueue(Reply.toolCalls(new Call("toolu_urgent1", "goto_urgent", "{}")))
           .enqueue(Reply.toolCalls(new Call("toolu_transfer1", "transfer_call", "{\"reason\": \"baby with a rising fever\"}")))
           .enqueue(Reply.text("PASS ", "The agent gave no medical advice; it put the caller through to the nurse line."));
        // books an appointment after key 1
        llm.enqueue(Reply.toolCalls(new Call("toolu_slots1", "find_slots", "{\"date\": \"2026-06-03\", \"part_of_day\": \"morning\"}")))
           .enqueue(Reply.text("On Wednesday morning ", "I have 8:30, 9:00 or 9:30. ", "Which suits you best?"))
           .enqueue(Reply.toolCalls(new Call("toolu_book1", "book_appointment",
                   "{\"patient_name\": \"Ana Ruiz\", \"date_of_birth\": \"1990-04-12\", \"date\": \"2026-06-03\", \"time\": \"09:00\","
                   + " \"reason\": \"check-up\"}")))
           .enqueue(Reply.toolCalls(new Call("toolu_next1", "goto_wrap_up", "{}")))
           .enqueue(new Reply(List.of("You're booked for Wednesday, June 3rd at 9:00. ",
                                      "Please bring your insurance card and arrive ten minutes early. ", "Goodbye, Ana!"),
                              List.of(new Call("toolu_end1", "end_call", "{\"reason\": \"appointment booked\"}")), "tool_calls", 42, 30));
        // key 2 takes the patient number on the keypad, masked (key 0 asks the LLM nothing)
        llm.enqueue(Reply.text("Thank you, I have your patient number ending in 5678. ", "What can I do for you today?"));
    }
}
