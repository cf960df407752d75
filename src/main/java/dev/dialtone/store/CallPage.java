package dev.dialtone.store;

import java.util.List;

/** One page of a call search: the calls on it, newest first, and how many match in all. */
public record CallPage(List<CallSummary> calls, long total, int limit, int offset) {

    public CallPage {
        calls = List.copyOf(calls);
    }

    public boolean hasMore() {
        return offset + calls.size() < total;
    }
}
