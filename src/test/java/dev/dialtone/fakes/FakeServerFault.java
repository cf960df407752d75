package dev.dialtone.fakes;

/** Faults every provider fake can inject, named as the tests and issue name them. */
public enum FakeServerFault {
    /** Accept the TCP connection and close it without a byte. */
    REFUSE,
    /** Answer bytes that are not HTTP, then close. */
    GARBAGE,
    /** HTTP 401 with a JSON error body. */
    UNAUTHORIZED,
    /** HTTP 429 with a JSON error body. */
    RATE_LIMITED,
    /** HTTP 500 with a JSON error body. */
    SERVER_ERROR,
    /** Read the request and never answer (until the client gives up): for connect and idle timeouts. */
    STALL,
    /** Start the stream normally, then cut the connection part-way. */
    DROP_MID_STREAM
}
