package dev.dialtone.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeAudio;
import dev.dialtone.fakes.FakeCall;
import dev.dialtone.fakes.FakeConferences;
import dev.dialtone.fakes.FakeLlmServer.Reply;
import dev.dialtone.fakes.FakeWorld;
import dev.dialtone.flow.TransferSpec;
import dev.dialtone.store.EventKind;

/**
 * Warm transfers through the fakes: the caller's TwiML becomes a conference (their stream ends),
 * the human is dialled through the REST API, briefed (fake LLM, fake TTS, served to Twilio's
 * {@code <Play>}) and joined; or, unanswered or declined, the caller comes back to the agent on a
 * new stream with the call's record and history, at the node the flow names.
 */
class WarmTransferTest {
    static final String KITCHEN = "+15550009999";
    static final String FLOW = """
            name: test
            numbers: ["+15550001111"]
            greeting: "Hello, thanks for calling."
            prompt: "You take pizza orders."
            stt: { provider: deepgram, model: nova-3, endpointing: 300 }
            llm: { provider: openai, model: gpt-4o-mini }
            tts: { provider: deepgram, voice: aura-2-thalia-en }
            turn: { silence_reprompt_s: 60 }
            start: order
            nodes:
              order:
                prompt: Take the order.
                next: { wrap_up: "The order is complete" }
              wrap_up:
                prompt: Read the order back and say goodbye.
            dtmf:
              "0":
                transfer:
                  to: "+15550009999"
                  mode: warm
                  ring_s: 20
                  briefing: "Summarise for the kitchen staff."
                  on_no_answer: { node: wrap_up, say: "The kitchen is busy, I'll keep helping you." }
            """;

    private FakeWorld world;

    @AfterEach
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    /** A turn about a margherita, then 0 pressed: the agent says it transfers and the caller's stream ends. */
    private FakeConferences.Dialed orderThenTransfer(FakeCall call) {
        world.stt.script("I'd like a large margherita");
        world.llm.enqueue(Reply.text("One large margherita, anything else?"))
                 .enqueue(Reply.text("Caller wants one large margherita."));
        assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).isTrue();
        call.sendAudio(FakeAudio.tone(440, 700));
        call.sendAudio(FakeAudio.silence(600));
        awaitTrue(() -> transcript(call).turns().size() == 2 && !transcript(call).turns().get(1).agentText().isEmpty());
        assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).isTrue();
        call.dtmf("0");
        awaitTrue(() -> !world.twilioApi.createdTo(KITCHEN).isEmpty());
        assertThat(call.awaitClosed(Duration.ofSeconds(5))).as("the caller's stream ends with its TwiML").isTrue();
        awaitTrue(() -> world.conferences.room("dialtone-" + call.callSid()).isPresent());
        var room = world.conferences.room("dialtone-" + call.callSid()).orElseThrow();
        assertThat(room.participants()).containsExactly(call.callSid());
        assertThat(room.settings()).containsEntry("waitUrl", TransferSpec.TWILIO_HOLD_MUSIC)
                                   .containsEntry("startConferenceOnEnter", "false");
        var human = world.conferences.dialed(world.twilioApi.createdTo(KITCHEN).getFirst());
        assertThat(human.form()).containsEntry("Timeout", "20").containsEntry("From", FakeWorld.NUMBER);
        assertThat(transcript(call).endedAt()).as("the record stays open while the caller holds").isEmpty();
        return human;
    }

    @Test
    void anAnsweredWarmTransferBriefsTheHumanAndJoinsThemToTheCaller() throws Exception {
        world = FakeWorld.start(FLOW);
        try (var call = world.dial()) {
            var human = orderThenTransfer(call);
            human.ring();
            var heard = human.answer();
            // the briefing: the flow's LLM, from the call's record, guided by the flow's briefing line
            var briefingRequest = world.llm.requests().get(1).body();
            assertThat(briefingRequest.path("messages").get(0).path("content").asText())
                    .contains("Summarise for the kitchen staff.");
            assertThat(briefingRequest.path("messages").get(1).path("content").asText())
                    .contains("Caller: I'd like a large margherita")
                    .contains("Assistant: One large margherita, anything else?");
            assertThat(briefingRequest.has("tools")).isFalse();
            // spoken in the flow's voice: a mu-law WAV served to Twilio's <Play>
            assertThat(heard.said().getFirst()).contains("Press any key to decline");
            var wav = heard.played().orElseThrow();
            assertThat(new String(Arrays.copyOf(wav, 4), StandardCharsets.US_ASCII)).isEqualTo("RIFF");
            assertThat(wav[20]).isEqualTo((byte) 7); // WAVE_FORMAT_MULAW
            assertThat(wav.length).isGreaterThan(58 + 800); // more than a header: at least 100 ms of speech
            assertThat(world.tts.sockets()).anySatisfy(socket -> assertThat(socket.messages())
                    .anySatisfy(m -> assertThat(m.path("text").asText()).contains("Caller wants one large margherita.")));
            // no key pressed: the human joins the caller's room
            var twiml = human.gatherEnds("");
            assertThat(twiml).contains("<Conference").contains("dialtone-" + call.callSid());
            assertThat(world.conferences.room("dialtone-" + call.callSid()).orElseThrow().participants())
                    .containsExactly(call.callSid(), world.twilioApi.createdTo(KITCHEN).getFirst());
            awaitTrue(() -> transcript(call).endedAt().isPresent());
            assertThat(transcript(call).endReason()).contains("transferred (warm) to " + KITCHEN);
            assertThat(transcript(call).notes()).anySatisfy(n -> {
                assertThat(n.kind()).isEqualTo("transfer");
                assertThat(n.detail()).isEqualTo(KITCHEN + " warm answered");
            });
            awaitTrue(() -> world.parts.store().findCall(call.callSid()).map(d -> d.events().stream()
                    .anyMatch(e -> e.kind() == EventKind.TRANSFER && e.detail().equals(KITCHEN + " warm answered"))).orElse(false));
            assertThat(world.parts.metrics().counter("dialtone.transfers.warm", "outcome", "answered").count()).isEqualTo(1.0);
            // the briefing's audio is gone with the transfer
            assertThat(world.twilio.fetchMedia(heard.playUrl().orElseThrow()).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void anUnansweredTransferBringsTheCallerBackToTheNamedNodeWithTheHistory() throws Exception {
        world = FakeWorld.start(FLOW);
        try (var first = world.dial()) {
            var human = orderThenTransfer(first);
            human.ring();
            human.noAnswer();
            var back = world.conferences.awaitStream(first.callSid(), Duration.ofSeconds(5));
            assertThat(back.twiml().parameters()).containsEntry("resume", "transfer").containsEntry("flow", "test");
            awaitTrue(() -> transcript(back).turns().size() == 4
                            && transcript(back).turns().get(3).agentText().equals("The kitchen is busy, I'll keep helping you."));
            assertThat(back.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).isTrue();
            assertThat(transcript(back).node()).isEqualTo("wrap_up");
            assertThat(transcript(back).notes()).anySatisfy(n -> assertThat(n.detail()).isEqualTo(KITCHEN + " warm no-answer"));
            assertThat(world.conferences.room("dialtone-" + first.callSid()).orElseThrow().participants()).isEmpty();
            // the conversation goes on with what was said before the transfer
            world.stt.script("I'd like a large margherita", "That's all"); // the fake counts utterances across streams
            world.llm.enqueue(Reply.text("One large margherita, goodbye!"));
            back.sendAudio(FakeAudio.tone(440, 700));
            back.sendAudio(FakeAudio.silence(600));
            awaitTrue(() -> world.llm.requests().size() == 3);
            var messages = world.llm.requests().get(2).body().path("messages").toString();
            assertThat(messages).contains("Read the order back and say goodbye.")
                                .contains("I'd like a large margherita").contains("One large margherita, anything else?")
                                .contains("The kitchen is busy, I'll keep helping you.").contains("That's all");
            awaitTrue(() -> transcript(back).turns().size() == 5
                            && transcript(back).turns().get(4).agentText().equals("One large margherita, goodbye!"));
            assertThat(back.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).isTrue();
            assertThat(transcript(back).endedAt()).isEmpty();
            back.stop();
            awaitTrue(() -> transcript(back).endedAt().isPresent());
            // one record for the whole call, its turns numbered on
            awaitTrue(() -> world.parts.store().findCall(first.callSid()).map(d -> d.turns().size() == 5).orElse(false));
        }
    }

    @Test
    void aHumanWhoPressesAKeyDeclinesAndTheCallerComesBack() throws Exception {
        world = FakeWorld.start(FLOW);
        try (var first = world.dial()) {
            var human = orderThenTransfer(first);
            human.ring();
            human.answer();
            var twiml = human.gatherEnds("1");
            assertThat(twiml).contains("<Hangup/>").doesNotContain("<Conference");
            var back = world.conferences.awaitStream(first.callSid(), Duration.ofSeconds(5));
            awaitTrue(() -> transcript(back).turns().getLast().agentText().equals("The kitchen is busy, I'll keep helping you."));
            assertThat(transcript(back).notes()).anySatisfy(n -> assertThat(n.detail()).isEqualTo(KITCHEN + " warm declined"));
            assertThat(world.parts.metrics().counter("dialtone.transfers.warm", "outcome", "declined").count()).isEqualTo(1.0);
            assertThat(world.conferences.room("dialtone-" + first.callSid()).orElseThrow().participants()).isEmpty();
            back.stop();
        }
    }

    @Test
    void aCallerWhoHangsUpOnHoldEndsTheCallAndTheHumansRinging() throws Exception {
        world = FakeWorld.start(FLOW);
        try (var call = world.dial()) {
            var human = orderThenTransfer(call);
            human.ring();
            world.conferences.hangUp(call.callSid());
            var humanSid = world.twilioApi.createdTo(KITCHEN).getFirst();
            awaitTrue(() -> world.twilioApi.requests().stream().anyMatch(r -> r.path().endsWith("/Calls/" + humanSid + ".json")
                                                                      && "canceled".equals(r.form().get("Status"))));
            awaitTrue(() -> transcript(call).endedAt().isPresent());
            assertThat(transcript(call).endReason()).contains("caller hung up on hold");
            // Twilio's late callbacks for the transfer change nothing, and its routes refuse what is not signed
            human.noAnswer();
            assertThat(world.conferences.room("dialtone-" + call.callSid()).orElseThrow().participants()).isEmpty();
            var unsigned = world.twilio.post(world.url() + "/twilio/transfer/answer?call=" + call.callSid(),
                                             Map.of("CallSid", humanSid), null);
            assertThat(unsigned.statusCode()).isEqualTo(403);
            assertThat(world.twilio.fetchMedia(world.url() + "/twilio/transfer/briefing/00ff.wav").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void theStringFormStaysACold() throws Exception {
        world = FakeWorld.start(FLOW.replaceAll("(?s)dtmf:.*", "dtmf: { \"0\": { transfer: \"+15550009999\" } }\n"));
        try (var call = world.dial()) {
            assertThat(call.awaitQuiet(Duration.ofMillis(300), Duration.ofSeconds(5))).isTrue();
            call.dtmf("0");
            awaitTrue(() -> world.twilioApi.requests().stream().anyMatch(r -> r.form().containsKey("Twiml")));
            var update = world.twilioApi.requests().stream().filter(r -> r.form().containsKey("Twiml")).toList();
            assertThat(update).hasSize(1);
            assertThat(update.getFirst().form().get("Twiml")).contains("<Dial>+15550009999</Dial>").doesNotContain("Conference");
            assertThat(world.twilioApi.createdTo(KITCHEN)).isEmpty();
            awaitTrue(() -> transcript(call).endedAt().isPresent());
            assertThat(transcript(call).notes()).anySatisfy(n -> assertThat(n.detail()).isEqualTo(KITCHEN));
        }
    }

    private CallTranscript transcript(FakeCall call) {
        return world.parts.switchboard().transcript(call.callSid()).orElseThrow();
    }

    static void awaitTrue(BooleanSupplier condition) {
        Await.until(condition, Duration.ofSeconds(8));
    }
}
