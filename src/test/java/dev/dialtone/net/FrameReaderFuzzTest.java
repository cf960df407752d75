package dev.dialtone.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.dialtone.Fuzz;

/**
 * Thousands of mutated byte streams from a provider's WebSocket: the frame reader returns frames
 * within the size limit or fails with an IOException (a protocol violation or the end of the
 * stream), never another exception, and never reads a payload over its limit into memory.
 */
class FrameReaderFuzzTest {
    private static final int LIMIT = 4096;

    @Test
    void mutatedFramesAreReadOrRefusedWithAnIoException() throws Exception {
        var samples = new ArrayList<byte[]>();
        samples.add(frames(frame(0x81, "{\"type\":\"Results\",\"is_final\":true}"), frame(0x82, "\u0001\u0002\u0003"),
                           frame(0x89, "ping"), frame(0x01, "par"), frame(0x80, "tial"), frame(0x88, "\u0003\u00e8bye")));
        samples.add(frames(frame(0x82, "x".repeat(300))));
        Fuzz.runBytes(5000, samples, bytes -> {
            var in = new ByteArrayInputStream(bytes);
            try {
                while (true) {
                    var frame = WebSocketWire.read(in, LIMIT);
                    assertThat(frame.payload().length).isLessThanOrEqualTo(LIMIT);
                }
            } catch (IOException endOrViolation) {
                assertThat(endOrViolation.getMessage()).isNotBlank();
            }
        });
    }

    /** Frames as a server sends them (unmasked); latin-1 so that each char is one byte. */
    private static String frame(int firstByte, String payload) {
        var out = new ByteArrayOutputStream();
        var data = payload.getBytes(StandardCharsets.ISO_8859_1);
        out.write(firstByte);
        if (data.length < 126) {
            out.write(data.length);
        } else {
            out.write(126);
            out.write(data.length >> 8);
            out.write(data.length & 0xFF);
        }
        out.writeBytes(data);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] frames(String... frames) {
        return String.join("", List.of(frames)).getBytes(StandardCharsets.ISO_8859_1);
    }
}
