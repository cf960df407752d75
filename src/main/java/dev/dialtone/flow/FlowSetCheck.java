package dev.dialtone.flow;

import java.nio.file.Files;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that need every flow file at once: unique flow names, each number claimed by one flow, at
 * most one default, every tool provided by a plugin or a built-in, transfer_call only with a
 * transfer_to number; and, against the date, the llm model's retirement ({@link ModelRetirements}:
 * an error once retired, a warning while a retirement is announced). Warns about providers whose API
 * key is not configured.
 */
final class FlowSetCheck {
    private FlowSetCheck() {
    }

    /**
     * @param plugins       names of plugins that loaded
     * @param brokenPlugins plugin name -> its load problem, for "provided by a broken plugin" errors
     * @param today         the UTC day the models' retirement dates are compared with
     */
    static void check(List<ParsedFlow> flows, Set<String> plugins, Map<String, Problem> brokenPlugins,
                      Set<String> providersWithKeys, LocalDate today, List<Problem> problems) {
        var names = new HashMap<String, ParsedFlow>();
        var numbers = new HashMap<String, ParsedFlow>();
        ParsedFlow firstDefault = null;
        var known = new TreeSet<>(plugins);
        known.addAll(BuiltinTools.NAMES);
        for (var p : flows) {
            var flow = p.flow();
            var other = names.putIfAbsent(flow.name(), p);
            if (other != null) {
                problems.add(Problem.error(flow.file(), p.nameLine(), "flow name '" + flow.name() + "' is already used by "
                        + other.flow().file() + ":" + other.nameLine()));
            }
            for (var number : flow.numbers()) {
                var claimed = numbers.putIfAbsent(number, p);
                if (claimed != null) {
                    problems.add(Problem.error(flow.file(), p.numberLines().get(number), "number " + number
                            + " is already claimed by flow " + claimed.flow().name() + " ("
                            + claimed.flow().file() + ":" + claimed.numberLines().get(number) + ")"));
                }
            }
            if (flow.isDefault()) {
                if (firstDefault != null) {
                    problems.add(Problem.error(flow.file(), p.defaultLine(), "more than one default flow: "
                            + firstDefault.flow().name() + " (" + firstDefault.flow().file() + ":" + firstDefault.defaultLine()
                            + ") is default too"));
                } else {
                    firstDefault = p;
                }
            }
            if (flow.testsGate() && !Files.isRegularFile(FlowFileNames.testsOf(flow.file()))) {
                problems.add(Problem.error(flow.file(), p.testsLine(), "tests: gate needs the flow's tests beside it, in "
                        + FlowFileNames.testsOf(flow.file()).getFileName() + " (see flows/README.md)"));
            }
            for (var ref : p.toolRefs()) {
                if (known.contains(ref.name())) {
                    if (ref.name().equals(BuiltinTools.TRANSFER_CALL) && flow.transferTo().isEmpty()) {
                        problems.add(Problem.error(flow.file(), ref.line(),
                                "transfer_call needs a transfer_to number in the flow, e.g. transfer_to: \"+15550009999\""));
                    }
                } else if (brokenPlugins.containsKey(ref.name())) {
                    problems.add(Problem.error(flow.file(), ref.line(), "tool " + ref.name() + " comes from a plugin that failed to load ("
                            + brokenPlugins.get(ref.name()) + ")"));
                } else if (ref.name().startsWith(BuiltinTools.TRANSITION_PREFIX)) {
                    problems.add(Problem.error(flow.file(), ref.line(), "tool " + ref.name()
                            + " is a node transition; list the target under the node's next instead"));
                } else {
                    problems.add(Problem.error(flow.file(), ref.line(), "no plugin or built-in tool is called " + ref.name()
                            + " (add plugins/" + ref.name() + ".js)" + Names.didYouMean(ref.name(), known)));
                }
            }
            providerWarnings(p, providersWithKeys, problems);
            modelRetirement(p, today, problems);
        }
    }

    /**
     * The llm model the flow's calls use (the one it names, else its provider's default) against the
     * retirement table: at the model's line, or at the provider's (else the name's) when it names none.
     */
    private static void modelRetirement(ParsedFlow p, LocalDate today, List<Problem> problems) {
        var flow = p.flow();
        var provider = flow.llm().provider();
        int providerLine = p.providerLines().getOrDefault("llm", p.nameLine());
        if (providerLine == ParsedFlow.INVALID) {
            return;
        }
        boolean named = p.llmModelLine() > 0;
        var model = named ? flow.llm().model().orElseThrow() : ProviderCatalog.DEFAULT_MODELS.get(provider);
        ModelRetirements.check(provider, model, today).ifPresent(n -> {
            int line = named ? p.llmModelLine() : providerLine;
            var what = "llm model " + model + (named ? "" : " (the " + provider + " default, used because the flow names no model)");
            if (n.retired()) {
                problems.add(Problem.error(flow.file(), line, what + " was retired by " + provider + " on " + n.retires()
                        + " and every request for it fails; use " + n.replacement() + " instead"));
            } else {
                problems.add(Problem.warning(flow.file(), line, what + " is deprecated: " + provider + " retires it on " + n.retires()
                        + ", and calls to this flow will fail from then on; move to " + n.replacement() + " before then"));
            }
        });
    }

    private static void providerWarnings(ParsedFlow p, Set<String> providersWithKeys, List<Problem> problems) {
        var flow = p.flow();
        for (var block : List.of("stt", "llm", "tts")) {
            var provider = switch (block) {
                case "stt" -> flow.stt().provider();
                case "llm" -> flow.llm().provider();
                default -> flow.tts().provider();
            };
            if (p.providerLines().getOrDefault(block, 0) == ParsedFlow.INVALID) {
                continue;
            }
            if (!providersWithKeys.contains(provider)) {
                problems.add(Problem.warning(flow.file(), p.providerLines().getOrDefault(block, p.nameLine()),
                        block + " provider " + provider + " has no API key (set " + ProviderCatalog.KEY_VARIABLES.get(provider)
                                + "); calls to this flow will fail until it is set"));
            }
        }
    }
}
