package dev.dialtone.flow;

/** What pressing a key on the phone does: move to a node, transfer the call, or hang up. */
public sealed interface DtmfRoute {
    record ToNode(String node) implements DtmfRoute {
    }

    record Transfer(String number) implements DtmfRoute {
    }

    record Hangup() implements DtmfRoute {
    }
}
