package dev.dialtone.flow;

import dev.dialtone.plugin.PluginTool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What {@link FlowRegistry#status()} shows: the live flows, their drafts and the last reload's errors, by flow. */
final class FlowStatuses {
    private FlowStatuses() {
    }

    static List<FlowStatus> of(List<FlowVersion> versions, Map<String, FlowVersion> drafts, List<Problem> warnings,
                               List<Problem> draftProblems, Optional<ReloadOutcome> outcome, Map<String, String> testReports) {
        var errorsByFile = new LinkedHashMap<Path, List<String>>();
        if (outcome.isPresent() && !outcome.get().applied()) {
            outcome.get().errors().forEach(p -> errorsByFile.computeIfAbsent(p.file(), f -> new ArrayList<>()).add(p.toString()));
        }
        var draftErrors = new LinkedHashMap<Path, List<String>>();
        var draftWarnings = new LinkedHashMap<Path, List<String>>();
        draftProblems.forEach(p -> (p.isError() ? draftErrors : draftWarnings)
                .computeIfAbsent(p.file(), f -> new ArrayList<>()).add(p.toString()));
        var out = new ArrayList<FlowStatus>();
        var covered = new HashSet<Path>();
        for (var v : versions) {
            var flow = v.flow();
            var files = new ArrayList<Path>(List.of(flow.file(), FlowFileNames.testsOf(flow.file())));
            v.tools().values().stream().filter(t -> t instanceof PluginTool).map(t -> ((PluginTool) t).file()).forEach(files::add);
            var errors = new ArrayList<String>();
            files.forEach(f -> errors.addAll(errorsByFile.getOrDefault(f, List.of())));
            covered.addAll(files);
            var flowWarnings = warnings.stream().filter(p -> p.file().equals(flow.file())).map(Problem::toString).toList();
            out.add(status(v, false, errors, flowWarnings, Optional.ofNullable(testReports.get(v.name()))));
            var draft = Optional.ofNullable(drafts.get(v.name()));
            var draftFile = draft.map(d -> d.flow().file()).orElse(flow.file().resolveSibling(FlowFileNames.stem(flow.file())
                    + FlowFileNames.DRAFT_SUFFIX));
            var problems = draftErrors.getOrDefault(draftFile, List.of());
            covered.add(draftFile);
            if (draft.isPresent()) {
                out.add(status(draft.get(), true, problems, draftWarnings.getOrDefault(draftFile, List.of()), Optional.empty()));
            } else if (!problems.isEmpty()) {
                out.add(new FlowStatus(v.name() + FlowRegistry.DRAFT, draftFile, List.of(), false, Optional.empty(), Optional.empty(),
                        Optional.of(String.join("\n", problems)), List.of(), true, List.of(), Optional.empty()));
            }
        }
        errorsByFile.forEach((file, errors) -> {
            if (!covered.contains(file)) {
                var name = file.getFileName().toString().replaceFirst("\\.(ya?ml|js)$", "");
                out.add(new FlowStatus(name, file, List.of(), false, Optional.empty(), Optional.empty(),
                        Optional.of(String.join("\n", errors)), List.of(), false, List.of(), Optional.empty()));
            }
        });
        draftErrors.forEach((file, errors) -> {
            if (!covered.contains(file)) { // a draft with no live flow beside it
                out.add(new FlowStatus(FlowFileNames.stem(file) + FlowRegistry.DRAFT, file, List.of(), false, Optional.empty(), Optional.empty(),
                        Optional.of(String.join("\n", errors)), List.of(), true, List.of(), Optional.empty()));
            }
        });
        return out;
    }

    private static FlowStatus status(FlowVersion v, boolean draft, List<String> errors, List<String> warnings, Optional<String> tests) {
        var flow = v.flow();
        return new FlowStatus(draft ? v.name() + FlowRegistry.DRAFT : v.name(), flow.file(), flow.numbers(), flow.isDefault() && !draft,
                Optional.of(v.hash()), Optional.of(v.loadedAt()), errors.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", errors)),
                warnings, draft, draft ? flow.stagingCallers() : List.of(), tests);
    }
}
