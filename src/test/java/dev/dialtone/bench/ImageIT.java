package dev.dialtone.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import dev.dialtone.Settings;

/**
 * The container image, checked without a container engine: the Dockerfile's COPY instructions are
 * carried out into a folder standing for the image's WORKDIR (every source must exist after
 * {@code mvn package}), its ENTRYPOINT there prints the very command {@code bin/dialtone serve}
 * prints, runs the server from the copied files until it answers, and its HEALTHCHECK passes against
 * that server and fails once it has stopped. The image's user, port and volumes are checked
 * against the server's own settings.
 */
@EnabledOnOs(OS.LINUX)
class ImageIT {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One Dockerfile instruction: its keyword and the rest of its (joined) lines. */
    record Instruction(String keyword, String args) {
    }

    @Test
    void theImageRunsServesCommandFromTheFilesItCopies(@TempDir Path dir) throws Exception {
        var dockerfile = parse(Files.readAllLines(ROOT.resolve("Dockerfile")));
        var workdir = Path.of(single(dockerfile, "WORKDIR"));
        var stage = dir.resolve("app");
        Files.createDirectories(stage.resolve("data")); // the RUN that makes the data folder for the image's user

        var dockerignore = Files.readAllLines(ROOT.resolve(".dockerignore"));
        for (var copy : all(dockerfile, "COPY")) {
            var parts = List.of(copy.split("\\s+"));
            var target = Path.of(parts.getLast());
            assertThat(target.startsWith(workdir)).as("COPY into the WORKDIR: " + copy).isTrue();
            for (var source : parts.subList(0, parts.size() - 1)) {
                var from = ROOT.resolve(source);
                assertThat(from).as("COPY source after `mvn package`: " + source).exists();
                assertThat(dockerignore).as(".dockerignore lets " + source + " into the build context")
                                        .anyMatch(line -> line.startsWith("!") && source.startsWith(line.substring(1)));
                copy(from, stage.resolve(workdir.relativize(target).toString()), parts.getLast().endsWith("/"));
            }
        }

        var settings = Settings.load(ROOT.resolve("config.yaml"), Map.of());
        assertThat(single(dockerfile, "FROM")).contains("jre");
        assertThat(single(dockerfile, "USER")).doesNotStartWith("0").doesNotStartWith("root");
        assertThat(single(dockerfile, "EXPOSE")).isEqualTo(Integer.toString(settings.port()));
        var volumes = JSON.readValue(single(dockerfile, "VOLUME"), new TypeReference<List<String>>() { });
        assertThat(volumes).as("the folders the server reads, as volumes")
                           .contains(workdir.resolve(settings.flows()).normalize().toString(),
                                     workdir.resolve(settings.plugins()).normalize().toString(),
                                     workdir.resolve(settings.data()).normalize().toString());

        var javaOpts = env(dockerfile).getOrDefault("DIALTONE_JAVA_OPTS", "");
        var launcher = ServerProcess.launcherCommand(ROOT, Map.of("DIALTONE_JAVA_OPTS", javaOpts));
        var entrypoint = new ArrayList<String>();
        JSON.readValue(single(dockerfile, "ENTRYPOINT"), new TypeReference<List<String>>() { })
            .forEach(arg -> entrypoint.add(arg.startsWith(workdir + "/") ? stage.resolve(workdir.relativize(Path.of(arg))).toString() : arg));
        entrypoint.addAll(JSON.readValue(single(dockerfile, "CMD"), new TypeReference<List<String>>() { }));
        var javaHome = Path.of(launcher.getFirst()).getParent().getParent().toString();
        // the image's RUN that records the start-up cache, then serve uses it
        var training = all(dockerfile, "RUN").stream().filter(run -> run.contains("aot-training")).findFirst().orElseThrow();
        var trainingCommand = new ArrayList<String>();
        JSON.readValue(training, new TypeReference<List<String>>() { })
            .forEach(arg -> trainingCommand.add(arg.startsWith(workdir + "/") ? stage.resolve(workdir.relativize(Path.of(arg))).toString() : arg));
        assertThat(runLogged(trainingCommand, stage, Map.of("DIALTONE_JAVA_OPTS", javaOpts, "JAVA_HOME", javaHome), dir.resolve("training.log")))
                .as("aot-training in the image (log: training.log)").isZero();
        var printed = printedCommand(entrypoint, stage, Map.of("DIALTONE_JAVA_OPTS", javaOpts, "JAVA_HOME", javaHome));
        assertThat(printed).as("serve starts from the recorded cache").anyMatch(arg -> arg.startsWith("-XX:AOTCache=target/aot/"));
        // the start-up cache is recorded per build (here maybe, in the image by its own RUN): the rest is equal
        assertThat(withoutAotCache(printed)).as("the image's command is serve's").containsExactlyElementsOf(withoutAotCache(launcher));

        int port = ServerProcess.freePort();
        var healthcheck = healthcheck(dockerfile, workdir, stage);
        var serverEnv = Map.of("DIALTONE_JAVA_OPTS", javaOpts, "JAVA_HOME", javaHome, "PORT", Integer.toString(port));
        try (var server = ServerProcess.start(stage, entrypoint, serverEnv, port, dir.resolve("server.log"))) {
            server.awaitReady(System.nanoTime(), System.out);
            assertThat(run(healthcheck, stage, Map.of("PORT", Integer.toString(port)))).as("HEALTHCHECK on the running server").isZero();
            ProcessHandle.of(server.pid()).orElseThrow().destroy(); // SIGTERM, as `docker stop` sends it
            assertThat(server.awaitExit(Duration.ofSeconds(30))).as("no calls: the drain ends at once, status 0").isZero();
        }
        assertThat(run(healthcheck, stage, Map.of("PORT", Integer.toString(port)))).as("HEALTHCHECK once stopped").isNotZero();
    }

    /** Instructions in order; comments dropped, continued lines joined. */
    static List<Instruction> parse(List<String> lines) {
        var out = new ArrayList<Instruction>();
        var current = new StringBuilder();
        for (var raw : lines) {
            var line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            boolean continued = line.endsWith("\\");
            current.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continued) {
                var text = current.toString().strip();
                int space = text.indexOf(' ');
                out.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1).strip()));
                current.setLength(0);
            }
        }
        return out;
    }

    private static List<String> all(List<Instruction> dockerfile, String keyword) {
        return dockerfile.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
    }

    private static String single(List<Instruction> dockerfile, String keyword) {
        var found = all(dockerfile, keyword);
        assertThat(found).as(keyword).hasSize(1);
        return found.getFirst();
    }

    /** ENV name="value" pairs. */
    private static Map<String, String> env(List<Instruction> dockerfile) {
        var env = new LinkedHashMap<String, String>();
        for (var args : all(dockerfile, "ENV")) {
            int eq = args.indexOf('=');
            env.put(args.substring(0, eq), args.substring(eq + 1).replaceAll("^\"|\"$", ""));
        }
        return env;
    }

    /** The HEALTHCHECK's exec-form command, pointed at the staged files. */
    private static List<String> healthcheck(List<Instruction> dockerfile, Path workdir, Path stage) throws IOException {
        var args = single(dockerfile, "HEALTHCHECK");
        var command = JSON.readValue(args.substring(args.indexOf("CMD ") + 4), new TypeReference<List<String>>() { });
        return command.stream().map(arg -> arg.startsWith(workdir + "/") ? stage.resolve(workdir.relativize(Path.of(arg))).toString() : arg)
                      .toList();
    }

    /** COPY: a folder source with a trailing-slash target copies its contents; files go into a target folder. */
    private static void copy(Path from, Path to, boolean intoFolder) throws IOException {
        if (Files.isDirectory(from)) {
            try (Stream<Path> files = Files.walk(from)) {
                for (var file : (Iterable<Path>) files::iterator) {
                    var target = to.resolve(from.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
            return;
        }
        var target = intoFolder ? to.resolve(from.getFileName().toString()) : to;
        Files.createDirectories(target.getParent());
        Files.copy(from, target);
        target.toFile().setExecutable(Files.isExecutable(from));
    }

    private static int runLogged(List<String> command, Path dir, Map<String, String> env, Path log) throws Exception {
        var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                                                 .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        var process = builder.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("the training ends by itself").isTrue();
        return process.exitValue();
    }

    private static List<String> withoutAotCache(List<String> command) {
        return command.stream().filter(arg -> !arg.startsWith("-XX:AOTCache=")).toList();
    }

    private static List<String> printedCommand(List<String> entrypoint, Path dir, Map<String, String> env) throws Exception {
        var builder = new ProcessBuilder(entrypoint).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("DIALTONE_PRINT_COMMAND", "1");
        var process = builder.start();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        return out.lines().toList();
    }

    private static int run(List<String> command, Path dir, Map<String, String> env) throws Exception {
        var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                                                 .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        var process = builder.start();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("the health check ends by itself").isTrue();
        return process.exitValue();
    }
}
