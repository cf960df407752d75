package dev.dialtone.fakes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server side of one WebSocket (RFC 6455) opened through a {@link FakeServerExchange}: read
 * whole messages on the connection thread, send from any thread, close cleanly or drop.
 */
public final class FakeServerWebSocket {

    /** One received data message: text or binary. */
    public record Message(String text, byte[] binary) {
        public boolean isText() {
            return text != null;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Guarded by {@link #sendLock}. */
    private boolean closeSent;
    /** Written by the reader when a close frame arrives: its status code, or -1. */
    private volatile int closeCodeReceived = -1;
    /** Payloads of the pongs received, in order. */
    private final java.util.List<byte[]> pongs = new java.util.concurrent.CopyOnWriteArrayList<>();

    FakeServerWebSocket(Socket socket, InputStream in, OutputStream out) {
        this.socket = socket;
        this.in = in;
        this.out = out;
    }

    /**
     * Blocks for the next data message; answers pings and echoes a close. Returns null when the
     * client closed (cleanly or not).
     */
    public Message read() {
        try {
            var data = new ByteArrayOutputStream();
            int messageOpcode = -1;
            while (true) {
                int b0 = in.read();
                int b1 = in.read();
                if (b0 < 0 || b1 < 0) {
                    return null;
                }
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = (in.read() << 8) | in.read();
                } else if (length == 127) {
                    length = ByteBuffer.wrap(in.readNBytes(8)).getLong();
                }
                var mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
                var payload = in.readNBytes((int) length);
                if (payload.length < length) {
                    return null;
                }
                if (mask != null) {
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                }
                switch (opcode) {
                    case 0x8 -> {
                        closeCodeReceived = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                        close(1000, "");
                        return null;
                    }
                    case 0x9 -> sendFrame(0xA, payload);
                    case 0xA -> pongs.add(payload);
                    default -> {
                        if (opcode != 0) {
                            messageOpcode = opcode;
                        }
                        data.write(payload);
                        if (fin) {
                            return messageOpcode == 0x1
                                    ? new Message(data.toString(StandardCharsets.UTF_8), null)
                                    : new Message(null, data.toByteArray());
                        }
                    }
                }
            }
        } catch (IOException e) {
            return null;
        }
    }

    public void sendText(String text) throws IOException {
        sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    public void sendBinary(byte[] data) throws IOException {
        sendFrame(0x2, data);
    }

    /** Sends raw bytes that are not a valid frame (a protocol fault). */
    public void sendGarbage() throws IOException {
        sendLock.lock();
        try {
            out.write(new byte[] {(byte) 0x73, (byte) 0x7F, 1, 2, 3});
            out.flush();
        } finally {
            sendLock.unlock();
        }
    }

    private void sendFrame(int opcode, byte[] payload) throws IOException {
        sendFrame(true, opcode, false, payload);
    }

    /**
     * Sends one frame exactly as described, for protocol tests: a fragment ({@code fin} false), a
     * ping, or a frame masked as only clients may.
     */
    public void sendFrame(boolean fin, int opcode, boolean masked, byte[] payload) throws IOException {
        sendLock.lock();
        try {
            if (closeSent) {
                throw new IOException("close already sent");
            }
            var header = new ByteArrayOutputStream();
            header.write((fin ? 0x80 : 0) | opcode);
            int maskBit = masked ? 0x80 : 0;
            if (payload.length < 126) {
                header.write(maskBit | payload.length);
            } else if (payload.length < 65536) {
                header.write(maskBit | 126);
                header.write(payload.length >> 8);
                header.write(payload.length & 0xFF);
            } else {
                header.write(maskBit | 127);
                header.write(ByteBuffer.allocate(8).putLong(payload.length).array());
            }
            if (masked) {
                header.write(new byte[4]); // a zero mask: the payload goes as is
            }
            out.write(header.toByteArray());
            out.write(payload);
            out.flush();
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends a close frame (once); the reader sees the client's echo and returns null. */
    public void close(int code, String reason) {
        sendLock.lock();
        try {
            if (closeSent) {
                return;
            }
            var reasonBytes = reason.getBytes(StandardCharsets.UTF_8);
            var payload = ByteBuffer.allocate(2 + reasonBytes.length).putShort((short) code).put(reasonBytes).array();
            sendFrame(0x8, payload);
            closeSent = true;
        } catch (IOException e) {
            // the client is already gone
        } finally {
            sendLock.unlock();
        }
    }

    /** Cuts the TCP connection without a close frame (a network drop). */
    public void drop() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // dropping is the point
        }
    }

    /** The payloads of the pongs the client sent, in order. */
    public java.util.List<byte[]> pongs() {
        return java.util.List.copyOf(pongs);
    }

    /** The close code the client sent, or -1 if it never sent one. */
    public int closeCodeReceived() {
        return closeCodeReceived;
    }
}
