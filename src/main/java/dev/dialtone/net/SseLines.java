package dev.dialtone.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The lines of a Server-Sent Events body, each at most {@code maxLine} bytes: a provider (or
 * whatever answers in its place) that sends one endless line cannot pin the reader's memory.
 * Lines end with LF, CR or CRLF, as the SSE specification allows.
 */
final class SseLines {
    /** A line longer than the limit; the stream is abandoned. */
    static final class TooLong extends IOException {
        TooLong(String what, int limit) {
            super(what + " is longer than " + limit + " bytes");
        }
    }

    private final InputStream in;
    private final int maxLine;
    private final byte[] buffer = new byte[8192];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int position;
    private int limit;
    private boolean afterCarriageReturn;

    SseLines(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** The next line without its ending, or null at the end of the body. */
    String next() throws IOException {
        line.reset();
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return line.size() > 0 ? text() : null;
                }
            }
            int start = position;
            while (position < limit) {
                byte b = buffer[position];
                if (afterCarriageReturn && b == '\n') {
                    afterCarriageReturn = false;
                    start = ++position; // the LF of a CRLF already ended the line
                    continue;
                }
                afterCarriageReturn = false;
                if (b == '\n' || b == '\r') {
                    append(start, position);
                    afterCarriageReturn = b == '\r';
                    position++;
                    return text();
                }
                position++;
            }
            append(start, position);
        }
    }

    private void append(int from, int to) throws TooLong {
        if (line.size() + (to - from) > maxLine) {
            throw new TooLong("an event line", maxLine);
        }
        line.write(buffer, from, to - from);
    }

    private String text() {
        return line.toString(StandardCharsets.UTF_8);
    }
}
