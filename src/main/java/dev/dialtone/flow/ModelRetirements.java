package dev.dialtone.flow;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * LLM models their provider has retired or has announced a retirement date for, with what to use
 * instead: the one table to extend when a provider announces a deprecation (add a {@link Retirement}
 * to {@link #TABLE}; ModelRetirementsTest checks the table's shape).
 *
 * <p>From the announcement until the retirement date a flow naming the model gets a warning; from the
 * retirement date on (dates are UTC days) it is an error and the flow set is refused, because the API
 * answers every request for a retired model with 404 (Anthropic's not_found_error, OpenAI's
 * model_not_found) and every call to the flow would fail. A replacement that has itself been announced
 * for retirement is followed to its own replacement, so the advice stays current as the table grows.
 */
final class ModelRetirements {

    /** One announcement: the model ids it covers, when it was made, from when requests fail, and what to move to. */
    record Retirement(String provider, LocalDate announced, LocalDate retires, String replacement, List<String> models) {
        Retirement {
            models = List.copyOf(models);
            if (retires.isBefore(announced)) {
                throw new IllegalArgumentException(models + " retire before they were announced");
            }
        }
    }

    /** What a flow naming {@code model} is told: its retirement date, whether that has passed, and what to use instead. */
    record Notice(String model, LocalDate retires, boolean retired, String replacement) {
    }

    private static Retirement retirement(String provider, String announced, String retires, String replacement, String... models) {
        return new Retirement(provider, LocalDate.parse(announced), LocalDate.parse(retires), replacement, List.of(models));
    }

    /*
     * Anthropic: https://platform.claude.com/docs/en/about-claude/model-deprecations (its model status
     * table and announcements) and https://platform.claude.com/docs/en/release-notes/overview, read
     * 2026-12-07. The replacement is the current model of the same tier: where Anthropic's page named
     * one that has since been retired itself (Claude 3.5 Haiku for the instant models, Sonnet 3.5 or 4
     * for older Sonnets, Opus 4 or 4.5 for Opus 3), its successor is named here.
     * Sonnet 3.5 was due to retire on 2025-10-22 (the date on the deprecations page); the release notes
     * reported it gone on 2025-10-28. Opus 4.1's replacement is ours: the page's row gives only dates.
     */
    private static final List<Retirement> ANTHROPIC = List.of(
            retirement("anthropic", "2024-09-04", "2024-11-06", "claude-haiku-4-5",
                    "claude-instant-1.0", "claude-instant-1.1", "claude-instant-1.2"),
            retirement("anthropic", "2024-09-04", "2024-11-06", "claude-sonnet-4-5",
                    "claude-1.0", "claude-1.1", "claude-1.2", "claude-1.3"),
            retirement("anthropic", "2025-01-21", "2025-07-21", "claude-sonnet-4-5",
                    "claude-2.0", "claude-2.1", "claude-3-sonnet-20240229"),
            retirement("anthropic", "2025-06-30", "2026-01-05", "claude-opus-4-6",
                    "claude-3-opus-20240229", "claude-3-opus-latest"),
            retirement("anthropic", "2025-08-13", "2025-10-22", "claude-sonnet-4-5",
                    "claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-latest"),
            retirement("anthropic", "2025-10-28", "2026-02-19", "claude-sonnet-4-5",
                    "claude-3-7-sonnet-20250219", "claude-3-7-sonnet-latest"),
            retirement("anthropic", "2025-12-19", "2026-02-19", "claude-haiku-4-5",
                    "claude-3-5-haiku-20241022", "claude-3-5-haiku-latest"),
            retirement("anthropic", "2026-04-14", "2026-06-15", "claude-sonnet-4-6",
                    "claude-sonnet-4-20250514", "claude-sonnet-4-0"),
            retirement("anthropic", "2026-04-14", "2026-06-15", "claude-opus-4-6",
                    "claude-opus-4-20250514", "claude-opus-4-0"),
            retirement("anthropic", "2026-06-05", "2026-08-05", "claude-opus-4-6",
                    "claude-opus-4-1-20250805", "claude-opus-4-1"));

    /*
     * OpenAI: https://platform.openai.com/docs/deprecations (now
     * https://developers.openai.com/api/docs/deprecations). Dialtone speaks Chat Completions with
     * temperature and max_tokens, so some rows name a chat model where OpenAI named another: the
     * davinci models (OpenAI: gpt-3.5-turbo-instruct, a completions model), the 3.5 snapshots
     * (gpt-3.5-turbo, itself reported shut down since) and o1-preview / o1-mini (o3 / o4-mini,
     * reasoning models that refuse max_tokens).
     * The 2026-10-14 announcement (GPT-4o, GPT-4o mini, GPT-4.1, GPT-4.1 mini off the API on
     * 2027-01-14, replacement gpt-6-luna) was read in copies of that page that agree on the date and
     * the replacement: https://dev.to/max_bob/openai-api-deprecations-2026-2027-every-shutdown-date-and-recommended-replacement-gpt-4o-2ffm
     * and https://codersera.com/blog/gpt-4o-gpt-4-1-api-shutdown-migration-2026/ (one reseller names
     * gpt-6.1-sol for the full-size models). gpt-6-luna is a reasoning model; see flows/README.md.
     */
    private static final List<Retirement> OPENAI = List.of(
            retirement("openai", "2023-07-06", "2024-01-04", "gpt-4o-mini",
                    "text-davinci-001", "text-davinci-002", "text-davinci-003", "code-davinci-002"),
            retirement("openai", "2023-11-06", "2024-09-13", "gpt-4o-mini",
                    "gpt-3.5-turbo-0613", "gpt-3.5-turbo-16k-0613"),
            retirement("openai", "2024-06-06", "2024-12-06", "gpt-4o",
                    "gpt-4-vision-preview", "gpt-4-1106-vision-preview"),
            retirement("openai", "2024-06-06", "2025-06-06", "gpt-4o",
                    "gpt-4-32k", "gpt-4-32k-0314", "gpt-4-32k-0613"),
            retirement("openai", "2025-04-14", "2025-07-14", "gpt-4.1",
                    "gpt-4.5-preview", "gpt-4.5-preview-2025-02-27"),
            retirement("openai", "2025-04-28", "2025-07-28", "gpt-4.1",
                    "o1-preview", "o1-preview-2024-09-12"),
            retirement("openai", "2025-04-28", "2025-10-27", "gpt-4o-mini",
                    "o1-mini", "o1-mini-2024-09-12"),
            retirement("openai", "2026-10-14", "2027-01-14", "gpt-6-luna",
                    "gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20", "gpt-4o-mini", "gpt-4o-mini-2024-07-18",
                    "gpt-4.1", "gpt-4.1-2025-04-14", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"));

    static final List<Retirement> TABLE = Stream.concat(ANTHROPIC.stream(), OPENAI.stream()).toList();

    /** "provider model" -> its retirement; building it fails if a model is listed twice. */
    private static final Map<String, Retirement> BY_MODEL = index(TABLE);

    private ModelRetirements() {
    }

    /** What to tell a flow that uses {@code model} of {@code provider} on {@code today}; empty when nothing is announced. */
    static Optional<Notice> check(String provider, String model, LocalDate today) {
        var r = BY_MODEL.get(provider + " " + model);
        if (r == null || today.isBefore(r.announced())) {
            return Optional.empty();
        }
        return Optional.of(new Notice(model, r.retires(), !today.isBefore(r.retires()), replacement(provider, r.replacement(), today)));
    }

    /** Follows replacements that have been announced for retirement themselves, to one that has not. */
    static String replacement(String provider, String model, LocalDate today) {
        var current = model;
        for (int hops = 0; hops <= TABLE.size(); hops++) {
            var next = BY_MODEL.get(provider + " " + current);
            if (next == null || today.isBefore(next.announced())) {
                return current;
            }
            current = next.replacement();
        }
        throw new IllegalStateException("the replacements of " + provider + " " + model + " go round in a circle");
    }

    private static Map<String, Retirement> index(List<Retirement> table) {
        var out = new HashMap<String, Retirement>();
        for (var r : table) {
            for (var model : r.models()) {
                if (out.put(r.provider() + " " + model, r) != null) {
                    throw new IllegalStateException(r.provider() + " " + model + " is listed twice in the retirement table");
                }
            }
        }
        return Map.copyOf(out);
    }
}
