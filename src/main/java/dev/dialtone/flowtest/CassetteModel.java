package dev.dialtone.flowtest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ChatStream;
import dev.dialtone.net.ProviderError;

/**
 * The flow's LLM as a test file's cases see it: answers replayed from a {@link Cassette} with no
 * network (each request is looked up by its {@link RequestPrint} key among its case's recordings),
 * or the live client's answers, passed through and recorded. A request with no recording gets a
 * failed stream (the conversation apologises, as it would for a provider failure) and a problem that
 * names the case's turn, what changed, and how to re-record. The driver says which case and turn
 * is running ({@link #beginCase}, {@link #at}) from its thread; in recording mode the live client's
 * events arrive on its own thread.
 */
final class CassetteModel implements ChatModel {
    private static final ChatStream NOTHING_TO_CANCEL = () -> { };

    private final Cassette cassette;
    private final ChatModel live;     // null when replaying
    private final String rerecord;    // how to re-record, for messages
    private final List<String> problems = new CopyOnWriteArrayList<>(); // the current case's
    private final Set<Integer> used = new HashSet<>();                  // replay: recordings of the case answered, driver thread
    private volatile String caseName = "";
    private volatile int turn;
    private volatile String after = "";
    private int requests;                                               // of the current case, driver thread

    private CassetteModel(Cassette cassette, ChatModel live, String rerecord) {
        this.cassette = cassette;
        this.live = live;
        this.rerecord = rerecord;
    }

    /** Answers from {@code cassette} only. */
    static CassetteModel replaying(Cassette cassette, String rerecord) {
        return new CassetteModel(cassette, null, rerecord);
    }

    /** Answers from {@code live}, recorded into {@code cassette} (each case's old recordings are dropped as it starts). */
    static CassetteModel recording(ChatModel live, Cassette cassette) {
        return new CassetteModel(cassette, live, "");
    }

    boolean isRecording() {
        return live != null;
    }

    /** A case starts: its requests count from the first again. */
    void beginCase(String name) {
        caseName = name;
        used.clear();
        requests = 0;
        problems.clear();
        turn = 0;
        after = "the call connects";
        if (isRecording()) {
            cassette.clear(name);
        }
    }

    /** The case's turn {@code turn} (from 1) starts; {@code describe} is how the transcript shows it. */
    void at(int turn, String describe) {
        this.turn = turn;
        this.after = describe;
    }

    /** What went wrong with the LLM in the current case: requests with no recording, or live failures. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    @Override
    public ChatStream stream(ChatRequest request, Consumer<ChatEvent> listener) {
        var print = RequestPrint.of(request);
        int position = requests++;
        int askedAt = turn;
        var askedAfter = after;
        if (isRecording()) {
            var events = new ArrayList<ChatEvent>();
            return live.stream(request, event -> {
                if (event instanceof ChatEvent.Failed failed) {
                    problems.add(where(askedAt, askedAfter) + ": the LLM failed: " + failed.error().message());
                } else {
                    events.add(event);
                }
                if (event instanceof ChatEvent.Done) {
                    cassette.add(caseName, new Cassette.Recording(askedAt, askedAfter, print, events));
                }
                listener.accept(event);
            });
        }
        var recordings = cassette.recordings(caseName);
        for (int i = 0; i < recordings.size(); i++) {
            if (!used.contains(i) && recordings.get(i).request().key().equals(print.key())) {
                used.add(i);
                // delivered at once, in order, on this thread: the conversation takes them from its mailbox afterwards
                recordings.get(i).events().forEach(listener);
                return NOTHING_TO_CANCEL;
            }
        }
        var message = where(askedAt, askedAfter) + ": no recorded LLM answer matches this request: "
                      + whatChanged(print, recordings, position) + ". The prompt or the history changed since the cassette was"
                      + " recorded: re-record it with " + rerecord + " (needs the flow's LLM API key)";
        problems.add(message);
        listener.accept(new ChatEvent.Failed(new ProviderError(ProviderError.Kind.PROTOCOL, "cassette",
                "no recorded answer for this request", false)));
        return NOTHING_TO_CANCEL;
    }

    private static String where(int turn, String after) {
        return turn == 0 ? "as the call connects" : "turn " + turn + " (" + after + ")";
    }

    /** Why the request at {@code position} of the case matches nothing recorded. */
    private static String whatChanged(RequestPrint print, List<Cassette.Recording> recordings, int position) {
        if (recordings.isEmpty()) {
            return "the cassette has nothing for this case (a new case, or one renamed since the recording)";
        }
        if (position >= recordings.size()) {
            return "the recording of this case has " + recordings.size() + " LLM requests and this is request " + (position + 1)
                   + " (the conversation went further than when it was recorded)";
        }
        var recorded = recordings.get(position).request();
        if (recorded.key().equals(print.key())) {
            return "this request was answered already in this case (the conversation repeats itself where the recording did not)";
        }
        var differences = print.differences(recorded);
        return differences.isEmpty() ? "it differs from request " + (position + 1) + " of the recording" : differences;
    }
}
