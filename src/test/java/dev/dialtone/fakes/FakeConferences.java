package dev.dialtone.fakes;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Twilio's side of conferences and the calls a server places, as the real service behaves: a live
 * call whose TwiML is replaced ({@link FakeTwilioApi#onTwiml}) leaves its Media Stream (Twilio sends
 * {@code stop} and closes the socket) and runs the new TwiML: {@code <Dial><Conference>} puts it in
 * the named room (posting participant-join/leave to the room's {@code statusCallback} with Twilio's
 * parameter names, signed), {@code <Connect><Stream>} opens a new stream to the server. A call
 * created through {@code Calls.json} is a {@link Dialed} the test drives: it rings, is not
 * answered, is busy, or answers (Twilio fetches its {@code Url}, runs the {@code <Gather>}, fetches
 * {@code <Play>} media, posts the Gather action with the keys pressed, and follows the TwiML).
 * Every callback is signed with X-Twilio-Signature over the public URL the server gave.
 */
public final class FakeConferences {
    private static final Pattern CONFERENCE = Pattern.compile("<Conference([^>]*)>([^<]*)</Conference>");
    private static final Pattern ATTR = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern GATHER = Pattern.compile("<Gather([^>]*)>");
    private static final Pattern PLAY = Pattern.compile("<Play>([^<]*)</Play>");
    private static final Pattern SAY = Pattern.compile("<Say>([^<]*)</Say>");

    private final FakeTwilio twilio;
    private final FakeTwilioApi api;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Map<String, BlockingQueue<FakeCall>> streams = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();

    /** A conference room: its name, the call sids in it, and the room's callback (from its first participant's TwiML). */
    public record Room(String name, String sid, Map<String, String> settings, List<String> participants) {
    }

    public FakeConferences(FakeTwilio twilio, FakeTwilioApi api) {
        this.twilio = twilio;
        this.api = api;
        api.onTwiml(this::run);
    }

    /** The room of that name, if any call joined it. */
    public Optional<Room> room(String name) {
        return Optional.ofNullable(rooms.get(name));
    }

    /** Waits for the next stream Twilio opens for this call after a TwiML update. */
    public FakeCall awaitStream(String callSid, Duration timeout) throws InterruptedException {
        var call = queue(callSid).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (call == null) {
            throw new AssertionError("no new stream for " + callSid + " within " + timeout);
        }
        return call;
    }

    /** The caller hangs up: they leave every room they are in (participant-leave). */
    public void hangUp(String callSid) throws IOException, InterruptedException {
        leaveAll(callSid);
    }

    /** A call the server created through the REST API (e.g. to the human of a warm transfer). */
    public Dialed dialed(String callSid) {
        var form = api.created(callSid);
        if (form.isEmpty()) {
            throw new AssertionError("no call " + callSid + " was created");
        }
        return new Dialed(callSid, form);
    }

    private BlockingQueue<FakeCall> queue(String callSid) {
        return streams.computeIfAbsent(callSid, k -> new LinkedBlockingQueue<>());
    }

    /** Runs TwiML that replaced a call's own. */
    private void run(String callSid, String twiml) {
        try {
            twilio.stream(callSid).filter(c -> !c.isClosed()).ifPresent(FakeCall::stop); // the stream ends with the old TwiML
            var conference = CONFERENCE.matcher(twiml);
            if (conference.find()) {
                join(callSid, attributes(conference.group(1)), FakeTwilio.unescape(conference.group(2)));
            } else if (twiml.contains("<Stream")) {
                leaveAll(callSid);
                queue(callSid).add(twilio.openStream(callSid, FakeTwilio.parseTwiml(200, twiml)));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void join(String callSid, Map<String, String> attrs, String name) throws IOException, InterruptedException {
        var room = rooms.compute(name, (n, r) -> {
            var joined = r == null ? new Room(n, FakeTwilio.newSid("CF"), attrs, new CopyOnWriteArrayList<>()) : r;
            joined.participants().add(callSid); // in the room as soon as the room is seen
            return joined;
        });
        event(room, callSid, attrs, "participant-join");
    }

    private void leaveAll(String callSid) throws IOException, InterruptedException {
        for (var room : rooms.values()) {
            if (room.participants().remove(callSid)) {
                event(room, callSid, room.settings(), "participant-leave");
            }
        }
    }

    /** A room event to the room's statusCallback, when its statusCallbackEvent asks for it. */
    private void event(Room room, String callSid, Map<String, String> attrs, String event) throws IOException, InterruptedException {
        var url = room.settings().get("statusCallback");
        var wanted = room.settings().getOrDefault("statusCallbackEvent", "");
        if (url == null || !List.of(wanted.split(" ")).contains(event.replace("participant-", ""))) {
            return;
        }
        var form = new LinkedHashMap<String, String>();
        form.put("ConferenceSid", room.sid());
        form.put("FriendlyName", room.name());
        form.put("StatusCallbackEvent", event);
        form.put("CallSid", callSid);
        form.put("Muted", "false");
        form.put("Hold", "false");
        form.put("Coaching", "false");
        form.put("EndConferenceOnExit", attrs.getOrDefault("endConferenceOnExit", "false"));
        form.put("StartConferenceOnEnter", attrs.getOrDefault("startConferenceOnEnter", "true"));
        form.put("SequenceNumber", Integer.toString(sequence.incrementAndGet()));
        form.put("Timestamp", Instant.now().toString());
        twilio.callback(url, form);
    }

    /** What the answering human heard before the Gather's end: Twilio's {@code <Say>} lines and the {@code <Play>} audio. */
    public record Heard(List<String> said, Optional<String> playUrl, Optional<byte[]> played, String gatherAction,
                        Map<String, String> gather) {
    }

    /** A call placed through Calls.json, driven by the test. */
    public final class Dialed {
        private final String sid;
        private final Map<String, String> form;
        private Heard heard;

        Dialed(String sid, Map<String, String> form) {
            this.sid = sid;
            this.form = form;
        }

        /** The Calls.json parameters (To, From, Url, StatusCallback, StatusCallbackEvent, Timeout...). */
        public Map<String, String> form() {
            return form;
        }

        public void ring() throws IOException, InterruptedException {
            status("ringing", Map.of());
        }

        /** Nobody picked up within Timeout: Twilio's last status is no-answer. */
        public void noAnswer() throws IOException, InterruptedException {
            status("no-answer", Map.of("CallDuration", "0"));
        }

        public void busy() throws IOException, InterruptedException {
            status("busy", Map.of("CallDuration", "0"));
        }

        /** Picks up: the answered status, the Url's TwiML, its Gather's Say lines and Play media. */
        public Heard answer() throws IOException, InterruptedException {
            status("in-progress", Map.of());
            var res = twilio.signedPost(form.get("Url"), params("in-progress"));
            var twiml = res.body();
            var gather = GATHER.matcher(twiml);
            if (res.statusCode() != 200 || !gather.find()) {
                throw new AssertionError("answer TwiML without a Gather: " + res.statusCode() + " " + twiml);
            }
            var said = new ArrayList<String>();
            var say = SAY.matcher(twiml);
            while (say.find()) {
                said.add(FakeTwilio.unescape(say.group(1)));
            }
            var play = PLAY.matcher(twiml);
            Optional<String> playUrl = play.find() ? Optional.of(FakeTwilio.unescape(play.group(1))) : Optional.empty();
            Optional<byte[]> played = Optional.empty();
            if (playUrl.isPresent()) {
                var media = twilio.fetchMedia(playUrl.get());
                if (media.statusCode() == 200) {
                    played = Optional.of(media.body());
                }
            }
            var attrs = attributes(gather.group(1));
            heard = new Heard(said, playUrl, played, attrs.get("action"), attrs);
            return heard;
        }

        /**
         * The Gather ends: with the keys pressed, or none (Twilio posts the action with
         * actionOnEmptyResult). Returns the TwiML; a {@code <Conference>} in it joins that room.
         */
        public String gatherEnds(String digits) throws IOException, InterruptedException {
            var params = params("in-progress");
            if (!digits.isEmpty()) {
                params.put("Digits", digits);
                params.put("FinishedOnKey", "");
            }
            var twiml = twilio.signedPost(heard.gatherAction(), params).body();
            var conference = CONFERENCE.matcher(twiml);
            if (conference.find()) {
                join(sid, attributes(conference.group(1)), FakeTwilio.unescape(conference.group(2)));
            } else if (twiml.contains("<Hangup/>")) {
                status("completed", Map.of("CallDuration", "9"));
            }
            return twiml;
        }

        private void status(String status, Map<String, String> extra) throws IOException, InterruptedException {
            var url = form.get("StatusCallback");
            if (url == null) {
                return;
            }
            var params = params(status);
            params.put("CallbackSource", "call-progress-events");
            params.put("SequenceNumber", Integer.toString(sequence.incrementAndGet()));
            params.put("Timestamp", Instant.now().toString());
            params.putAll(extra);
            twilio.callback(url, params);
        }

        private LinkedHashMap<String, String> params(String status) {
            var params = new LinkedHashMap<String, String>();
            params.put("CallSid", sid);
            params.put("From", form.get("From"));
            params.put("To", form.get("To"));
            params.put("CallStatus", status);
            params.put("Direction", "outbound-api");
            return params;
        }
    }

    private static Map<String, String> attributes(String text) {
        var attrs = new LinkedHashMap<String, String>();
        var m = ATTR.matcher(text);
        while (m.find()) {
            attrs.put(m.group(1), FakeTwilio.unescape(m.group(2)));
        }
        return attrs;
    }
}
