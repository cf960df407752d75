package dev.dialtone.telephony;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

import dev.dialtone.net.Json;

/**
 * Parses Twilio Media Streams JSON into {@link StreamEvent}s and writes {@link StreamCommand}s.
 * It has no side effects: what to do with a message is the caller's business.
 */
public final class MediaStreamCodec {

    private MediaStreamCodec() {
    }

    /** Thrown for a message that is not valid Media Streams JSON; the message says why. */
    public static final class MalformedMessage extends Exception {
        MalformedMessage(String message) {
            super(message);
        }
    }

    /** Parses one text frame. */
    public static StreamEvent parse(String text) throws MalformedMessage {
        var media = mediaFastPath(text);
        if (media != null) {
            return media;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedMessage("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedMessage("not a JSON object");
        }
        var event = required(root, "event").asText();
        return switch (event) {
            case "connected" -> new StreamEvent.Connected(root.path("protocol").asText(""),
                                                          root.path("version").asText(""));
            case "start" -> start(root);
            case "media" -> media(root);
            case "dtmf" -> {
                var dtmf = required(root, "dtmf");
                yield new StreamEvent.Dtmf(sequence(root), streamSid(root), dtmf.path("track").asText(""),
                                           required(dtmf, "digit").asText());
            }
            case "mark" -> new StreamEvent.Mark(sequence(root), streamSid(root),
                                                required(required(root, "mark"), "name").asText());
            case "text" -> new StreamEvent.Text(sequence(root), streamSid(root), required(root, "text").asText());
            case "stop" -> {
                var stop = root.path("stop");
                yield new StreamEvent.Stop(sequence(root), streamSid(root), stop.path("accountSid").asText(""),
                                           stop.path("callSid").asText(""));
            }
            default -> throw new MalformedMessage("unknown event '" + truncate(event) + "'");
        };
    }

    /** Writes one command as the JSON text frame Twilio expects. */
    public static String write(StreamCommand command, String streamSid) {
        if (command instanceof StreamCommand.Media media) {
            // 50 a second per speaking call: written directly rather than through a tree
            return "{\"event\":\"media\",\"streamSid\":\""
                   + new String(JsonStringEncoder.getInstance().quoteAsString(streamSid))
                   + "\",\"media\":{\"payload\":\"" + Base64.getEncoder().encodeToString(media.payload()) + "\"}}";
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        switch (command) {
            case StreamCommand.Media media -> {
                root.put("event", "media").put("streamSid", streamSid);
                root.putObject("media").put("payload", Base64.getEncoder().encodeToString(media.payload()));
            }
            case StreamCommand.Mark mark -> {
                root.put("event", "mark").put("streamSid", streamSid);
                root.putObject("mark").put("name", mark.name());
            }
            case StreamCommand.Clear clear -> root.put("event", "clear").put("streamSid", streamSid);
        }
        return root.toString();
    }

    /**
     * Media arrives 50 times a second per call: it is read with the streaming parser (base64
     * decoded in place) instead of building a tree. Returns null for anything else, or anything
     * unusual, which then takes the general path (and its error messages).
     */
    private static StreamEvent.Media mediaFastPath(String text) {
        if (!text.contains("\"media\"")) {
            return null;
        }
        try (var p = Json.MAPPER.getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String event = null;
            String streamSid = "";
            String track = "inbound";
            long sequence = 0;
            long chunk = 0;
            long timestamp = 0;
            byte[] payload = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                var field = p.currentName();
                var token = p.nextToken();
                switch (field) {
                    case "event" -> event = p.getValueAsString();
                    case "sequenceNumber" -> sequence = Long.parseLong(p.getValueAsString());
                    case "streamSid" -> streamSid = p.getValueAsString("");
                    case "media" -> {
                        if (token != JsonToken.START_OBJECT) {
                            return null;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            var inner = p.currentName();
                            var value = p.nextToken();
                            switch (inner) {
                                case "track" -> track = p.getValueAsString("inbound");
                                case "chunk" -> chunk = Long.parseLong(p.getValueAsString());
                                case "timestamp" -> timestamp = Long.parseLong(p.getValueAsString());
                                case "payload" -> {
                                    if (value != JsonToken.VALUE_STRING) {
                                        return null;
                                    }
                                    payload = Base64Text.decode(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                                    if (payload == null) {
                                        return null;
                                    }
                                }
                                default -> p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (!"media".equals(event) || payload == null) {
                return null;
            }
            return new StreamEvent.Media(sequence, streamSid, track, chunk, timestamp, payload);
        } catch (IOException | RuntimeException e) {
            return null; // the general path reports what is wrong
        }
    }

    private static StreamEvent.Start start(JsonNode root) throws MalformedMessage {
        var start = required(root, "start");
        var tracks = new ArrayList<String>();
        start.path("tracks").forEach(t -> tracks.add(t.asText()));
        Map<String, String> params = new LinkedHashMap<>();
        start.path("customParameters").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        var format = start.path("mediaFormat");
        var streamSid = start.path("streamSid").asText(root.path("streamSid").asText(""));
        if (streamSid.isEmpty()) {
            throw new MalformedMessage("start without streamSid");
        }
        return new StreamEvent.Start(sequence(root), streamSid, start.path("accountSid").asText(""),
                                     required(start, "callSid").asText(), List.copyOf(tracks), Map.copyOf(params),
                                     format.path("encoding").asText("audio/x-mulaw"),
                                     format.path("sampleRate").asInt(8000), format.path("channels").asInt(1));
    }

    private static StreamEvent.Media media(JsonNode root) throws MalformedMessage {
        var media = required(root, "media");
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(required(media, "payload").asText());
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("media payload is not base64");
        }
        return new StreamEvent.Media(sequence(root), streamSid(root), media.path("track").asText("inbound"),
                                     number(media, "chunk"), number(media, "timestamp"), payload);
    }

    private static JsonNode required(JsonNode node, String field) throws MalformedMessage {
        var value = node.get(field);
        if (value == null || value.isNull()) {
            throw new MalformedMessage("missing field '" + field + "'");
        }
        return value;
    }

    private static String streamSid(JsonNode root) {
        return root.path("streamSid").asText("");
    }

    private static long sequence(JsonNode root) throws MalformedMessage {
        return number(root, "sequenceNumber");
    }

    /** Twilio sends these numbers as strings; accept either form. */
    private static long number(JsonNode node, String field) throws MalformedMessage {
        var value = node.get(field);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (value.isNumber()) {
            return value.asLong();
        }
        try {
            return Long.parseLong(value.asText());
        } catch (NumberFormatException e) {
            throw new MalformedMessage("field '" + field + "' is not a number");
        }
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
