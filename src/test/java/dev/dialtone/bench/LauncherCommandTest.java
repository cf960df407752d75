package dev.dialtone.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The benchmark's server runs the command {@code bin/dialtone serve} runs: the launcher prints the
 * very array it would exec, and that array is built from target/jvm.flags (the pom's jvm.flags),
 * the carrier setting and DIALTONE_JAVA_OPTS, in that order.
 */
@EnabledOnOs(OS.LINUX)
class LauncherCommandTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void theBenchmarksServerCommandIsServesCommand() throws Exception {
        var command = ServerProcess.launcherCommand(ROOT, Map.of("DIALTONE_JAVA_OPTS", "-Dbench.marker=1 -Xss1m"));

        var expected = new ArrayList<String>();
        expected.add(command.get(0));
        expected.addAll(List.of(Files.readString(ROOT.resolve("target/jvm.flags")).trim().split("\\s+")));
        expected.add("-Djdk.virtualThreadScheduler.parallelism=" + nproc() * 4);
        expected.addAll(List.of("-Dbench.marker=1", "-Xss1m", "-jar", "target/dialtone.jar", "serve"));
        assertThat(command).containsExactlyElementsOf(expected);
        assertThat(command.get(0)).endsWith("/bin/java");
        assertThat(Path.of(command.get(0))).isExecutable();
        assertThat(expected).contains("-XX:+UseZGC"); // the pom's flags made it to target/jvm.flags
    }

    @Test
    void aCarrierSettingOfTheOperatorsReplacesTheLaunchersOwn() throws Exception {
        var command = ServerProcess.launcherCommand(ROOT, Map.of("DIALTONE_JAVA_OPTS", "-Djdk.virtualThreadScheduler.parallelism=3"));

        assertThat(command).filteredOn(arg -> arg.contains("virtualThreadScheduler.parallelism"))
                           .containsExactly("-Djdk.virtualThreadScheduler.parallelism=3");
    }

    @Test
    void serveExecsTheArrayThatIsPrinted() throws Exception {
        // one array, built in one function, is both printed and exec'd: a change to what serve runs
        // cannot miss the benchmark
        var launcher = Files.readAllLines(ROOT.resolve("bin/dialtone"));
        assertThat(launcher).contains("  printf '%s\\n' \"${main_cmd[@]}\"", "exec \"${main_cmd[@]}\"");
        assertThat(launcher).filteredOn(line -> line.contains("-jar")).hasSize(1);
    }

    private static int nproc() throws Exception {
        var nproc = new ProcessBuilder("nproc").start();
        return Integer.parseInt(new String(nproc.getInputStream().readAllBytes()).trim());
    }
}
