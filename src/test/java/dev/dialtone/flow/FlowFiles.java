package dev.dialtone.flow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Test folders of flow and plugin files, written the way an operator's editor would. */
final class FlowFiles {
    final Path flows;
    final Path plugins;

    FlowFiles(Path root) {
        this.flows = root.resolve("flows");
        this.plugins = root.resolve("plugins");
        try {
            Files.createDirectories(flows);
            Files.createDirectories(plugins);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path flow(String fileName, String text) {
        return write(flows.resolve(fileName), text);
    }

    Path plugin(String name, String text) {
        return write(plugins.resolve(name + ".js"), text);
    }

    /** Writes through a temporary file and an atomic rename, as most editors save. */
    Path flowByRename(String fileName, String text) {
        var target = flows.resolve(fileName);
        var temp = flows.resolve("." + fileName + ".tmp");
        write(temp, text);
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static Path write(Path file, String text) {
        try {
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String simplePlugin(String result) {
        return """
                export default {
                  description: "test tool",
                  parameters: { type: "object", properties: {} },
                  run(args, call) { return %s; }
                };
                """.formatted(result);
    }
}
