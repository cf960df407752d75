package dev.dialtone.telephony;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.MeterRegistry;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A warm transfer on Twilio, one per caller at a time. {@link #start}: the caller's TwiML becomes
 * {@code <Dial><Conference>} in a room of its own (hold music; Twilio ends the Media Stream) and the
 * human is dialled through the Calls API, not the Conference Participants API: a participant joins
 * the room at once, while the human must first hear the briefing privately and may decline. Then
 * Twilio drives it through these signed routes, under {@code /twilio/transfer}:
 * <ul>
 * <li>{@code answer}: the human picked up: the briefing in a one-key {@code <Gather>};</li>
 * <li>{@code gather}: a key declines (the caller goes back to the agent), none joins the human to the room;</li>
 * <li>{@code status}: the human's call status: busy, no-answer, failed or canceled send the caller back;</li>
 * <li>{@code conference}: the room's events: the caller leaving before the human joined (they hung
 * up) cancels the human's call;</li>
 * <li>{@code GET briefing/{token}}: the briefing's audio (WAV, mu-law) for {@code <Play>}; Twilio does
 * not sign media fetches, so the address is a 128-bit random token, valid while its transfer lasts.</li>
 * </ul>
 * Sending the caller back replaces their TwiML with a new {@code <Connect><Stream>} that carries a
 * fresh stream credential and {@code resume=transfer}, so the switchboard restores the conversation.
 */
public final class ConferenceTransfer implements HttpService {
    private static final System.Logger LOG = System.getLogger(ConferenceTransfer.class.getName());
    public static final String PATH = "/twilio/transfer";
    /** The stream parameter that tells a new stream it is a caller coming back from a warm transfer. */
    public static final String RESUME_PARAMETER = "resume";
    static final String INTRO = "You have a transferred call. Press any key to decline, or stay on the line to be connected.";
    static final String DECLINED = "Okay, the caller will stay with the assistant. Goodbye.";
    /** The most warm transfers waiting at once: each holds a briefing's audio in memory. */
    static final int MAX_PENDING = 200;
    /** How long the answer route waits for a briefing still being written (Twilio waits 15 s for TwiML). */
    static final Duration BRIEFING_WAIT = Duration.ofSeconds(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TwilioCalls twilio;
    private final StreamCredentials credentials;
    private final TwilioSignature signature;
    private final PublicAddress address;
    private final Listener listener;
    private final MeterRegistry metrics;
    private final Map<String, Leg> legs = new ConcurrentHashMap<>(); // by caller sid
    private final Map<String, Leg> byToken = new ConcurrentHashMap<>();

    /** What the human hears: the text, and its audio in the flow's voice (mu-law 8 kHz) if it could be synthesised. */
    public record Briefing(String text, Optional<byte[]> mulaw) {
    }

    /**
     * One warm transfer to start.
     *
     * @param callerSid  the caller's call
     * @param to         the human's number
     * @param from       the caller id the human sees (the number the caller called)
     * @param base       the public http(s) base URL of this server, for Twilio's callbacks
     * @param stream     the stream parameters (from, to, direction, flow) for the caller's way back
     * @param briefing   being written meanwhile
     */
    public record Request(String callerSid, String to, String from, Duration ring, String holdMusic, String base,
                          String flow, Map<String, String> stream, CompletableFuture<Briefing> briefing) {
    }

    /** How a warm transfer ended, for the caller's record. Called on Twilio's callback threads. */
    public interface Listener {
        /** The human heard the briefing and joined the caller. */
        void joined(String callerSid);

        /**
         * The caller is on the way back to the agent (a new stream follows): {@code outcome} is
         * no-answer (with Twilio's status: no-answer, busy, failed, canceled) or declined.
         */
        void returning(String callerSid, String outcome, String detail);

        /** The caller hung up on hold, or the transfer could not start: the call is over. */
        void abandoned(String callerSid, String why);
    }

    private enum State { RINGING, BRIEFING, JOINED, RETURNED, ENDED }

    private static final class Leg {
        final Request request;
        final String token = HexFormat.of().formatHex(RANDOM.generateSeed(16));
        volatile String humanSid;
        State state = State.RINGING; // guarded by the leg

        Leg(Request request) {
            this.request = request;
        }

        String room() {
            return "dialtone-" + request.callerSid();
        }
    }

    public ConferenceTransfer(TwilioCalls twilio, StreamCredentials credentials, TwilioSignature signature,
                              PublicAddress address, Listener listener, MeterRegistry metrics) {
        this.metrics = metrics;
        this.twilio = twilio;
        this.credentials = credentials;
        this.signature = signature;
        this.address = address;
        this.listener = listener;
    }

    /** Whether warm transfers can run: Twilio's REST API is configured. */
    public boolean available() {
        return twilio.configured();
    }

    /**
     * Puts the caller on hold in their room and dials the human, on the calling thread (two REST
     * requests). Too many transfers waiting, or a failure to dial, sends the caller back to the
     * agent; a failure to put them on hold abandons the transfer (the stream is still theirs).
     */
    public void start(Request request) {
        var leg = new Leg(request);
        if (legs.size() >= MAX_PENDING || legs.putIfAbsent(request.callerSid(), leg) != null) {
            LOG.log(System.Logger.Level.WARNING, "Call {0}: warm transfer refused: {1} transfers already waiting",
                    request.callerSid(), legs.size());
            count("refused");
            listener.returning(request.callerSid(), "no-answer", "refused");
            sendBack(leg);
            return;
        }
        byToken.put(leg.token, leg);
        var q = "?call=" + enc(request.callerSid());
        try {
            twilio.redirect(request.callerSid(), TwimlWriter.holdInConference(leg.room(), request.holdMusic(),
                                                                             request.base() + PATH + "/conference" + q));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Call {0}: warm transfer could not hold the caller: {1}",
                    request.callerSid(), e.getMessage());
            forget(leg);
            count("failed");
            listener.abandoned(request.callerSid(), "transfer failed");
            return;
        }
        try {
            leg.humanSid = twilio.dialHuman(request.to(), request.from(), URI.create(request.base() + PATH + "/answer" + q),
                                            URI.create(request.base() + PATH + "/status" + q),
                                            (int) request.ring().toSeconds());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Call {0}: warm transfer could not dial {1}: {2}", request.callerSid(),
                    request.to(), e.getMessage());
            back(leg, State.RINGING, "no-answer", "failed");
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/answer", this::answer)
             .post("/gather", this::gather)
             .post("/status", this::status)
             .post("/conference", this::conference)
             .get("/briefing/{token}", this::audio);
    }

    /** The human answered: the briefing, with one key to decline. */
    private void answer(ServerRequest req, ServerResponse res) {
        var leg = verified(req, res);
        if (leg.isEmpty()) {
            return;
        }
        synchronized (leg.get()) {
            if (leg.get().state != State.RINGING) {
                twiml(res, TwimlWriter.sayAndHangUp("Sorry, the caller is no longer waiting."));
                return;
            }
            leg.get().state = State.BRIEFING;
        }
        var briefing = briefing(leg.get());
        var q = "?call=" + enc(leg.get().request.callerSid());
        var audio = briefing.mulaw().map(b -> leg.get().request.base() + PATH + "/briefing/" + leg.get().token + ".wav");
        twiml(res, TwimlWriter.briefing(leg.get().request.base() + PATH + "/gather" + q, INTRO, audio.orElse(null),
                                        briefing.text()));
    }

    /** The briefing's end: a key pressed declines, none joins. */
    private void gather(ServerRequest req, ServerResponse res) {
        var form = TwilioWebhooks.verifiedForm(signature, address, req, res);
        var leg = form.flatMap(f -> leg(req));
        if (leg.isEmpty()) {
            if (form.isPresent()) {
                twiml(res, TwimlWriter.sayAndHangUp("Sorry, the caller is no longer waiting."));
            }
            return;
        }
        if (!form.get().getOrDefault("Digits", "").isEmpty()) {
            twiml(res, TwimlWriter.sayAndHangUp(DECLINED));
            back(leg.get(), State.BRIEFING, "declined", "declined");
            return;
        }
        synchronized (leg.get()) {
            if (leg.get().state != State.BRIEFING) {
                twiml(res, TwimlWriter.sayAndHangUp("Sorry, the caller is no longer waiting."));
                return;
            }
            leg.get().state = State.JOINED;
        }
        twiml(res, TwimlWriter.joinConference(leg.get().room()));
        forget(leg.get());
        count("answered");
        listener.joined(leg.get().request.callerSid());
    }

    /** The human's call status: not answered (busy, no-answer, failed, canceled), or hung up during the briefing. */
    private void status(ServerRequest req, ServerResponse res) {
        var form = TwilioWebhooks.verifiedForm(signature, address, req, res);
        if (form.isEmpty()) {
            return;
        }
        res.status(Status.NO_CONTENT_204).send();
        var leg = leg(req);
        var status = form.get().getOrDefault("CallStatus", "");
        if (leg.isEmpty()) {
            return;
        }
        switch (status) {
            case "busy", "no-answer", "failed", "canceled" -> back(leg.get(), State.RINGING, "no-answer", status);
            case "completed" -> back(leg.get(), State.BRIEFING, "declined", "hung up during the briefing");
            default -> {
                // queued, initiated, ringing, in-progress: the answer route follows
            }
        }
    }

    /** The caller's room: the caller leaving before the human joined means they hung up on hold. */
    private void conference(ServerRequest req, ServerResponse res) {
        var form = TwilioWebhooks.verifiedForm(signature, address, req, res);
        if (form.isEmpty()) {
            return;
        }
        res.status(Status.NO_CONTENT_204).send();
        var leg = leg(req);
        if (leg.isEmpty() || !form.get().getOrDefault("StatusCallbackEvent", "").equals("participant-leave")
                || !form.get().getOrDefault("CallSid", "").equals(leg.get().request.callerSid())) {
            return;
        }
        State was;
        synchronized (leg.get()) {
            was = leg.get().state;
            if (was != State.RINGING && was != State.BRIEFING) {
                return; // joined, or sent back by us (which also makes the caller leave the room)
            }
            leg.get().state = State.ENDED;
        }
        forget(leg.get());
        var human = leg.get().humanSid;
        if (human != null) {
            try {
                twilio.end(human, was == State.RINGING);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Call {0}: could not stop the transfer's call: {1}", human, e.getMessage());
            }
        }
        count("abandoned");
        listener.abandoned(leg.get().request.callerSid(), "caller hung up on hold");
    }

    /** GET of the briefing's audio: a WAV file of mu-law 8 kHz, by its token. */
    private void audio(ServerRequest req, ServerResponse res) {
        var name = req.path().pathParameters().get("token");
        var leg = name.endsWith(".wav") ? byToken.get(name.substring(0, name.length() - 4)) : null;
        var audio = leg == null ? Optional.<byte[]>empty() : briefing(leg).mulaw();
        if (audio.isEmpty()) {
            res.status(Status.NOT_FOUND_404).send();
            return;
        }
        res.headers().set(HeaderNames.CONTENT_TYPE, "audio/wav");
        res.send(Wav.mulaw(audio.get()));
    }

    /** Sends the caller back to the agent once, from the state {@code from}; tells the listener. */
    private void back(Leg leg, State from, String outcome, String detail) {
        synchronized (leg) {
            if (leg.state != from && !(from == State.BRIEFING && leg.state == State.RINGING)) {
                return;
            }
            leg.state = State.RETURNED;
        }
        forget(leg);
        count(outcome);
        listener.returning(leg.request.callerSid(), outcome, detail);
        sendBack(leg);
    }

    /** The caller's TwiML becomes a new stream to this server, with a fresh credential. */
    private void sendBack(Leg leg) {
        var r = leg.request;
        var parameters = new LinkedHashMap<>(r.stream());
        parameters.put(TwilioWebhooks.BASE_PARAMETER, r.base());
        parameters.put(RESUME_PARAMETER, "transfer");
        parameters.put(StreamCredentials.PARAMETER, credentials.mint(r.callerSid(), r.flow()));
        var wss = r.base().replaceFirst("^https?://", "wss://") + TwilioWebhooks.STREAM_PATH; // Twilio streams only to wss
        try {
            twilio.redirect(r.callerSid(), TwimlWriter.connectStream(wss, r.base() + TwilioWebhooks.STATUS_PATH, parameters));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Call {0}: could not bring the caller back: {1}", r.callerSid(), e.getMessage());
            listener.abandoned(r.callerSid(), "transfer failed");
        }
    }

    /** {@code dialtone_transfers_warm_total{outcome}}: answered, no-answer, declined, abandoned, refused (too many waiting), failed. */
    private void count(String outcome) {
        metrics.counter("dialtone.transfers.warm", "outcome", outcome).increment();
    }

    private Briefing briefing(Leg leg) {
        try {
            return leg.request.briefing().get(BRIEFING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return new Briefing("The assistant could not summarise the call.", Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Briefing("", Optional.empty());
        }
    }

    private Optional<Leg> verified(ServerRequest req, ServerResponse res) {
        var form = TwilioWebhooks.verifiedForm(signature, address, req, res);
        if (form.isEmpty()) {
            return Optional.empty();
        }
        var leg = leg(req);
        if (leg.isEmpty()) {
            twiml(res, TwimlWriter.sayAndHangUp("Sorry, the caller is no longer waiting."));
        }
        return leg;
    }

    private Optional<Leg> leg(ServerRequest req) {
        return req.query().first("call").asOptional().map(legs::get);
    }

    private void forget(Leg leg) {
        legs.remove(leg.request.callerSid(), leg);
        byToken.remove(leg.token, leg);
    }

    private static void twiml(ServerResponse res, String twiml) {
        res.headers().set(HeaderNames.CONTENT_TYPE, "text/xml; charset=UTF-8");
        res.send(twiml);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
