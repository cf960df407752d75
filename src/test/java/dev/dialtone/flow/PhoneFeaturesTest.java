package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** voicemail, screening and recording in a flow file: read into {@link PhoneFeatures}, refused with file:line. */
class PhoneFeaturesTest {
    private static final Path FILE = Path.of("flows/p.yaml");

    private static PhoneFeatures parse(String yaml, List<Problem> problems) {
        return FlowParser.parse(FILE, "name: p\n" + yaml, problems).map(p -> p.flow().phone()).orElse(PhoneFeatures.NONE);
    }

    @Test
    void allThreeAreRead() {
        var problems = new ArrayList<Problem>();
        var phone = parse("""
                voicemail: { say: "Please call us back.", then: hangup }
                screening: "Luigi's Pizza, about your order."
                recording: { enabled: true, channels: mono, consent: "This call may be recorded." }
                """, problems);
        assertThat(problems).isEmpty();
        assertThat(phone).isEqualTo(new PhoneFeatures(Optional.of("Please call us back."), Optional.of("Luigi's Pizza, about your order."),
                Optional.of(new PhoneFeatures.RecordingPolicy(false, Optional.of("This call may be recorded.")))));
        assertThat(parse("recording: { enabled: true }\n", problems).recording())
                .contains(new PhoneFeatures.RecordingPolicy(true, Optional.empty()));
        assertThat(parse("recording: { enabled: false, consent: \"x\" }\n", problems).recording()).isEmpty();
    }

    @Test
    void badValuesAreRefusedAtTheirLine() {
        var problems = new ArrayList<Problem>();
        parse("""
                voicemail: { then: hangup }
                screening: "%s"
                recording: { enabled: true, channels: stereo }
                """.formatted("x".repeat(501)), problems);
        assertThat(problems).extracting(Problem::line).contains(2, 3, 4);
        assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("screening", "500"));
        assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("say"));
        assertThat(problems).anySatisfy(p -> assertThat(p.message()).contains("stereo").as(p.message()));
    }
}
