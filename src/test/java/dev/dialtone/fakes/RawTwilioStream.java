package dev.dialtone.fakes;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Media Stream client of raw bytes over a plain TCP socket, for what a well-behaved WebSocket
 * client cannot do: drop the connection without a close frame (a FIN or a reset), send a frame
 * larger than the server allows, or never answer the server's close. It completes the upgrade
 * exactly as Twilio does (signature header, masked frames) and can then misbehave.
 */
public final class RawTwilioStream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawTwilioStream(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Opens {@code ws} (a ws:// URI) with the given signature header (null: none) and completes the upgrade. */
    public static RawTwilioStream open(URI ws, String signature) throws IOException {
        var socket = new Socket(ws.getHost(), ws.getPort());
        socket.setSoTimeout(10_000);
        var stream = new RawTwilioStream(socket);
        var key = new byte[16];
        RANDOM.nextBytes(key);
        var request = new StringBuilder()
                .append("GET ").append(ws.getRawPath()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(ws.getHost()).append(':').append(ws.getPort()).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (signature != null) {
            request.append("X-Twilio-Signature: ").append(signature).append("\r\n");
        }
        stream.out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        stream.out.flush();
        var status = stream.readLine();
        while (!stream.readLine().isEmpty()) {
            // the upgrade's headers: nothing here needs them
        }
        if (!status.contains(" 101 ")) {
            socket.close();
            throw new IOException("upgrade refused: " + status);
        }
        return stream;
    }

    /** The {@code start} message Twilio sends, with the TwiML's parameters as {@code customParameters}. */
    public static String start(String callSid, String streamSid, String accountSid, Map<String, String> parameters) {
        var msg = JSON.createObjectNode().put("event", "start").put("sequenceNumber", "1").put("streamSid", streamSid);
        var start = msg.putObject("start").put("accountSid", accountSid).put("streamSid", streamSid).put("callSid", callSid);
        start.putArray("tracks").add("inbound");
        var params = start.putObject("customParameters");
        parameters.forEach(params::put);
        start.putObject("mediaFormat").put("encoding", "audio/x-mulaw").put("sampleRate", 8000).put("channels", 1);
        return msg.toString();
    }

    /** A {@code media} message of 20 ms of mu-law. */
    public static String media(String streamSid, long chunk, byte[] mulaw) {
        return "{\"event\":\"media\",\"sequenceNumber\":\"" + (chunk + 1) + "\",\"streamSid\":\"" + streamSid
               + "\",\"media\":{\"track\":\"inbound\",\"chunk\":\"" + chunk + "\",\"timestamp\":\"" + (chunk - 1) * 20
               + "\",\"payload\":\"" + Base64.getEncoder().encodeToString(mulaw) + "\"}}";
    }

    /** One text message in one frame. */
    public void sendText(String text) throws IOException {
        out.write(frame(0x1, true, text.getBytes(StandardCharsets.UTF_8)));
        out.flush();
    }

    /** A frame as the bytes a client sends (masked); for writing many at once. */
    public static byte[] frame(int opcode, boolean fin, byte[] payload) {
        var frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        var mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    /** Writes bytes as they are (frames built with {@link #frame}); a server that closed makes this throw. */
    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * Reads the server's frames until its close frame and returns the close code; -1 when the
     * connection ended (or {@code timeout} passed) without one.
     */
    public int awaitClose(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            while (true) {
                int first = in.readUnsignedByte();
                int second = in.readUnsignedByte();
                long length = second & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                var payload = in.readNBytes((int) length);
                if ((first & 0x0F) == 0x8) {
                    return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                }
            }
        } catch (EOFException | SocketException e) {
            return -1;
        } catch (IOException e) {
            return -1; // read timed out
        }
    }

    /** Ends the connection with a FIN and no close frame (EOF for the server). */
    public void dropWithoutCloseFrame() throws IOException {
        socket.close();
    }

    /** Ends the connection with a TCP reset. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private String readLine() throws IOException {
        var line = new StringBuilder();
        InputStream raw = in;
        int c;
        while ((c = raw.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (c == -1 && line.isEmpty()) {
            throw new EOFException("connection closed during the upgrade");
        }
        return line.toString();
    }
}
