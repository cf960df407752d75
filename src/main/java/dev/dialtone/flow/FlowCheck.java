package dev.dialtone.flow;

import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.plugin.PluginSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
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
        return run(flowsDir, pluginsDir, providersWithKeys, clock, out, CompanionCheck.NONE);
    }

    /** As above, with the files beside the flows that {@code companions} checks (flow tests). */
    public static int run(Path flowsDir, Path pluginsDir, Set<String> providersWithKeys, Clock clock, PrintStream out,
                          CompanionCheck companions) {
        try (var runtime = new PluginRuntime(PluginSettings.none())) {
            var loaded = FlowSetLoader.load(flowsDir, pluginsDir, runtime, providersWithKeys, Map.of(), Map.of(), clock.instant());
            var companion = companions.check(flowsDir, loaded.ok() ? loaded.versions() : Map.of());
            var problems = new ArrayList<>(loaded.problems());
            problems.addAll(companion.problems());
            problems.addAll(loaded.drafts().problems());
            problems.forEach(out::println);
            long errors = problems.stream().filter(Problem::isError).count();
            long warnings = problems.size() - errors;
            if (errors > 0) {
                // the server loads no companion file: errors only there leave the flows loadable
                out.println(errors + " error" + (errors == 1 ? "" : "s") + ", " + warnings + " warning" + (warnings == 1 ? "" : "s")
                        + (loaded.ok() ? " (the flows themselves would go live)" : ": nothing would go live"));
                return 1;
            }
            out.println("OK: " + loaded.versions().size() + " flows (" + String.join(", ", loaded.versions().keySet()) + "), "
                    + loaded.plugins().size() + " plugins"
                    + (loaded.drafts().versions().isEmpty() ? "" : ", drafts of " + String.join(", ", loaded.drafts().versions().keySet()))
                    + (companion.summary().isEmpty() ? "" : ", " + companion.summary())
                    + (warnings > 0 ? ", " + warnings + " warnings" : ""));
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
