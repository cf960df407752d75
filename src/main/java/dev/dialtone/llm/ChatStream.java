package dev.dialtone.llm;

/** A running chat request, owned by whoever started it. */
public interface ChatStream {

    /**
     * Stops the request at once: the HTTP exchange is aborted (the connection is closed, so the
     * provider stops generating and billing), and the listener receives nothing more, not even a
     * terminal event. Idempotent; safe from any thread, including from inside the listener.
     */
    void cancel();
}
