package dev.dialtone.flow;

import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/dialtone validate [dir]}: checks flow and plugin files offline, the same way a reload
 * does, and prints every problem as {@code file:line: reason}. Missing API keys and llm models with an
 * announced retirement date still ahead are warnings; a model already retired is an error, as it is
 * for a reload (every call to it would fail).
 */
public final class FlowCheck {
    private FlowCheck() {
    }

    /**
     * @param providersWithKeys provider names whose API key is set (see {@link ProviderCatalog#configuredIn})
     * @param clock             today, for the models' retirement dates
     * @return 0 when there is no error (warnings allowed), 1 otherwise
     */
    public static int run(Path flowsDir, Path pluginsDir, Set<String> providersWithKeys, Clock clock, PrintStream out) {
        try (var runtime = new PluginRuntime(PluginSettings.none())) {
            var loaded = FlowSetLoader.load(flowsDir, pluginsDir, runtime, providersWithKeys, Map.of(), Map.of(), clock.instant());
            loaded.problems().forEach(out::println);
            long errors = loaded.problems().stream().filter(Problem::isError).count();
            long warnings = loaded.problems().size() - errors;
            if (errors > 0) {
                out.println(errors + " error" + (errors == 1 ? "" : "s") + ", " + warnings + " warning" + (warnings == 1 ? "" : "s")
                        + ": nothing would go live");
                return 1;
            }
            out.println("OK: " + loaded.versions().size() + " flows (" + String.join(", ", loaded.versions().keySet()) + "), "
                    + loaded.plugins().size() + " plugins" + (warnings > 0 ? ", " + warnings + " warnings" : ""));
            return 0;
        }
    }

    /** Same, as of now. */
    public static int run(Path flowsDir, Path pluginsDir, Set<String> providersWithKeys, PrintStream out) {
        return run(flowsDir, pluginsDir, providersWithKeys, Clock.systemUTC(), out);
    }

    /** Same, as of now, with the API keys found in the process environment. */
    public static int run(Path flowsDir, Path pluginsDir, PrintStream out) {
        return run(flowsDir, pluginsDir, ProviderCatalog.configuredIn(System.getenv()), out);
    }
}
