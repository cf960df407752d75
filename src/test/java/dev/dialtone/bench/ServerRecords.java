package dev.dialtone.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the server itself recorded about a level's calls, read through its admin API once the level
 * is over (so the reading costs the measured part nothing): the reply each tool turn got (a caller
 * who hears an apology for dead air still hears <em>something</em>, so only the server's record
 * tells a given-up reply from the answer), the errors it noted, each stage's duration from its own
 * per-turn marks, and the calls it still holds open.
 */
final class ServerRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The stages of a turn as the server marks them, in order, with the names the API gives them. */
    private static final List<String> MARKS = List.of("sttFinal", "llmFirstToken", "firstSegment", "ttsFirstAudio",
                                                      "firstAudioSent");

    /**
     * A level's calls as the server saw them.
     *
     * @param stageMs per stage (see {@link #MARKS}): the durations on tool turns, sorted
     * @param stillActive calls the callers hung up that the server still counts as live
     */
    record Summary(int callsRead, int callsMissing, int toolTurns, int wrongReplies, Map<String, Integer> errors,
                   List<List<Long>> stageMs, List<String> stillActive) {
        boolean failed() {
            return wrongReplies > 0 || !errors.isEmpty() || !stillActive.isEmpty() || callsMissing > 0;
        }
    }

    private final URI base;
    private final String adminToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ServerRecords(URI base, String adminToken) {
        this.base = base;
        this.adminToken = adminToken;
    }

    /** Reads the records of these calls (which have all ended, as far as the callers know). */
    Summary read(Collection<String> callSids) throws InterruptedException {
        Thread.sleep(1000); // the last calls' ends reach the server a moment after the callers hang up
        int read = 0;
        int missing = 0;
        int toolTurns = 0;
        int wrong = 0;
        var errors = new TreeMap<String, Integer>();
        var stages = new ArrayList<List<Long>>();
        MARKS.forEach(m -> stages.add(new ArrayList<>()));
        for (var sid : callSids) {
            var call = get("/api/calls/" + sid);
            if (call == null) {
                missing++;
                continue;
            }
            read++;
            for (var turn : call.path("transcript")) {
                if (!turn.path("caller").asText().strip().equalsIgnoreCase(BenchFakes.QUESTION)) {
                    continue;
                }
                toolTurns++;
                // what the caller heard of the reply: the answer's first sentence at least, not an apology
                if (!turn.path("agent").asText().contains(BenchFakes.ANSWER.get(0).strip())) {
                    wrong++;
                }
                stages(turn.path("timingsMs"), stages);
            }
            for (var event : call.path("events")) {
                if (event.path("kind").asText().equals("error")) {
                    // numbers (durations) vary from call to call: grouped without them
                    errors.merge(event.path("detail").asText().replaceAll("[0-9]+", "N"), 1, Integer::sum);
                }
            }
        }
        stages.forEach(list -> list.sort(null));
        var ours = Set.copyOf(callSids);
        var stillActive = new ArrayList<String>();
        var active = get("/api/calls/active");
        if (active != null) {
            active.forEach(call -> {
                if (ours.contains(call.path("callSid").asText())) {
                    stillActive.add(call.path("callSid").asText());
                }
            });
        }
        return new Summary(read, missing, toolTurns, wrong, errors, stages, List.copyOf(stillActive));
    }

    /** Each stage's own duration: the difference between its mark and the one before (all after the caller's speech ended). */
    private static void stages(JsonNode timings, List<List<Long>> stages) {
        long previous = 0;
        for (var mark : MARKS) {
            if (!timings.has(mark)) {
                return; // a turn without every mark (given up, interrupted) has no breakdown
            }
        }
        for (int i = 0; i < MARKS.size(); i++) {
            long at = timings.path(MARKS.get(i)).asLong();
            stages.get(i).add(at - previous);
            previous = at;
        }
    }

    /** "p50 / p99" of each stage, for the table of where the time goes. */
    static String stageCells(Summary summary) {
        var cells = new ArrayList<String>();
        for (var stage : summary.stageMs()) {
            cells.add(Tally.percentile(stage, .5) + " / " + Tally.percentile(stage, .99));
        }
        return String.join(" | ", cells);
    }

    /**
     * Hangs up, as an operator would (POST /api/calls/{sid}/hangup), calls the server left open
     * after their callers hung up, so that they do not weigh on the next level; returns how many
     * it accepted.
     */
    int hangUp(List<String> callSids) throws InterruptedException {
        int accepted = 0;
        for (var sid : callSids) {
            var request = HttpRequest.newBuilder(base.resolve("/api/calls/" + sid + "/hangup")).timeout(Duration.ofSeconds(10))
                                     .header("Authorization", "Bearer " + adminToken)
                                     .POST(HttpRequest.BodyPublishers.noBody()).build();
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 202) {
                    accepted++;
                }
            } catch (IOException e) {
                // counted as not accepted
            }
        }
        return accepted;
    }

    private JsonNode get(String path) throws InterruptedException {
        var request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                                 .header("Authorization", "Bearer " + adminToken).build();
        try {
            var response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The errors the server noted, most frequent first, as "N x detail". */
    static List<String> errorLines(Summary summary) {
        return summary.errors().entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                      .map(e -> String.format(Locale.ROOT, "%d x %s", e.getValue(), e.getKey())).toList();
    }
}
