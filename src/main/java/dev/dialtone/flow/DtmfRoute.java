package dev.dialtone.flow;

/** What pressing a key on the phone does: move to a node, transfer the call, or hang up. */
public sealed interface DtmfRoute {
    record ToNode(String node) implements DtmfRoute {
    }

    /** Transfer the call as {@code spec} says (cold or warm). */
    record Transfer(TransferSpec spec) implements DtmfRoute {
        /** A cold transfer to {@code number}. */
        public Transfer(String number) {
            this(TransferSpec.cold(number));
        }

        public String number() {
            return spec.to();
        }
    }

    record Hangup() implements DtmfRoute {
    }
}
