package dev.dialtone.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.dialtone.Await;
import dev.dialtone.fakes.FakeCall;
import dev.dialtone.fakes.FakeWorld;
import dev.dialtone.flow.FlowStatus;

/**
 * A draft ({@code test.draft.yaml}) answers its staging callers, through the voice webhook and the
 * stream, and the softphone; every other caller gets the live flow. A broken draft changes nothing
 * live, and renaming the draft over the flow promotes it in a normal reload.
 */
class StagingTest {
    static final String LIVE = """
            name: test
            numbers: ["+15550001111"]
            greeting: "Live greeting."
            stt: { provider: deepgram }
            llm: { provider: openai }
            tts: { provider: deepgram }
            """;
    static final String DRAFT = """
            name: test
            numbers: ["+15550001111"]
            staging_callers: ["+15557770000"]
            greeting: "Draft greeting."
            stt: { provider: deepgram }
            llm: { provider: openai }
            tts: { provider: deepgram }
            """;
    static final String STAGING = "+15557770000";
    private FakeWorld world;

    @AfterEach
    void stop() {
        world.close();
    }

    /** The version of the flow that answered the call (as recorded with it). */
    private String answeredBy(FakeCall call) {
        var version = new AtomicReference<String>();
        Await.until(() -> {
            world.parts.switchboard().active(call.callSid()).ifPresent(s -> version.set(s.transcript().flowVersion()));
            return version.get() != null;
        }, Duration.ofSeconds(10));
        return version.get();
    }

    @Test
    void theDraftAnswersTheStagingCallerAndTheSoftphoneAndNoOneElse() throws Exception {
        world = FakeWorld.start(LIVE, Map.of(), Map.of("DIALTONE_ADMIN_TOKEN", "tok"));
        var flows = world.parts.flows();
        Files.writeString(world.dir.resolve("flows/test.draft.yaml"), DRAFT);
        assertThat(flows.reload().applied()).isTrue();
        var live = flows.byName("test").orElseThrow();
        var draft = flows.byName("test.draft").orElseThrow();
        assertThat(draft.flow().greeting().orElseThrow().text()).isEqualTo("Draft greeting.");
        assertThat(draft.hash()).isNotEqualTo(live.hash());

        try (var staging = world.twilio.dial(STAGING, FakeWorld.NUMBER)) {
            assertThat(staging.twiml().parameters()).containsEntry("flow", "test.draft");
            assertThat(answeredBy(staging)).isEqualTo(draft.hash());
        }
        try (var other = world.twilio.dial(FakeWorld.CALLER, FakeWorld.NUMBER)) {
            assertThat(other.twiml().parameters()).containsEntry("flow", "test");
            assertThat(answeredBy(other)).isEqualTo(live.hash());
        }
        try (var softphone = world.twilio.softphone("tok", "test.draft")) {
            assertThat(answeredBy(softphone)).isEqualTo(draft.hash());
        }
        try (var softphone = world.twilio.softphone("tok", "test")) {
            assertThat(answeredBy(softphone)).isEqualTo(live.hash());
        }
        var status = flows.status();
        assertThat(status).extracting(FlowStatus::name).containsExactly("test", "test.draft");
        assertThat(status.get(1).draft()).isTrue();
        assertThat(status.get(1).stagingCallers()).containsExactly(STAGING);
        assertThat(status.get(1).version()).contains(draft.hash());
    }

    @Test
    void aBrokenDraftLeavesLiveAndTheLastGoodDraftAndARenamePromotesIt() throws Exception {
        world = FakeWorld.start(LIVE, Map.of(), Map.of("DIALTONE_ADMIN_TOKEN", "tok"));
        var flows = world.parts.flows();
        var draftFile = world.dir.resolve("flows/test.draft.yaml");
        Files.writeString(draftFile, DRAFT);
        assertThat(flows.reload().applied()).isTrue();
        var live = flows.byName("test").orElseThrow();
        var draft = flows.byName("test.draft").orElseThrow();

        Files.writeString(draftFile, DRAFT.replace("greeting: \"Draft greeting.\"", "greeting: \"Hi {{caller.name}}\""));
        var outcome = flows.reload();
        assertThat(outcome.applied()).as("a draft's error never refuses the live set").isTrue();
        assertThat(outcome.errors()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(draftFile);
            assertThat(p.line()).isEqualTo(4);
        });
        assertThat(flows.byName("test")).containsSame(live);
        assertThat(flows.byName("test.draft")).as("the last good draft keeps answering its callers").containsSame(draft);
        assertThat(flows.status().get(1).lastError()).hasValueSatisfying(e -> assertThat(e).contains("test.draft.yaml:4:"));
        try (var other = world.twilio.dial(FakeWorld.CALLER, FakeWorld.NUMBER)) {
            assertThat(answeredBy(other)).isEqualTo(live.hash());
        }

        Files.writeString(draftFile, DRAFT.replace("name: test", "name: other"));
        assertThat(flows.reload().errors()).singleElement().satisfies(p -> assertThat(p.toString())
                .contains("test.draft.yaml:1: a draft keeps its flow's name"));

        Files.writeString(draftFile, DRAFT);
        assertThat(flows.reload().applied()).isTrue();
        Files.move(draftFile, world.dir.resolve("flows/test.yaml"), StandardCopyOption.REPLACE_EXISTING,
                   StandardCopyOption.ATOMIC_MOVE);
        assertThat(flows.reload().applied()).isTrue(); // the server's own watch may have loaded it first: same outcome
        assertThat(flows.byName("test").orElseThrow().flow().greeting().orElseThrow().text()).isEqualTo("Draft greeting.");
        assertThat(flows.byName("test.draft")).isEmpty();
        try (var other = world.twilio.dial(FakeWorld.CALLER, FakeWorld.NUMBER)) {
            assertThat(other.twiml().parameters()).containsEntry("flow", "test");
            assertThat(answeredBy(other)).isEqualTo(flows.byName("test").orElseThrow().hash());
        }
    }
}
