package dev.dialtone.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dialtone.Fuzz;

/**
 * A thousand mutated flow files (from the shipped examples and the schema's every-key sample):
 * the parser never throws, and whenever it refuses a file it says where (a line in the file).
 */
class FlowParserFuzzTest {

    @Test
    void mutatedFlowFilesAreParsedOrRefusedWithALineNeverThrown() throws Exception {
        var samples = new ArrayList<String>(List.of(SchemaKeysTest.EVERY_KEY, ModelTest.DESIGN_EXAMPLE));
        for (var name : List.of("luigis.yaml", "clinic.yaml", "front-desk.yaml")) {
            samples.add(Files.readString(Path.of("flows", name)));
        }
        Fuzz.run(1000, samples, bytes -> {
            var text = new String(bytes, StandardCharsets.UTF_8);
            var problems = new ArrayList<Problem>();
            var parsed = FlowParser.parse(Path.of("fuzz.yaml"), text, problems);
            if (parsed.isEmpty()) {
                assertThat(problems).as("a refused file says why").isNotEmpty();
            }
            int lines = (int) text.lines().count() + 1;
            assertThat(problems).allSatisfy(p -> assertThat(p.line()).isBetween(0, lines));
        });
    }
}
