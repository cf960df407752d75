package dev.dialtone.telephony;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The HTTP side of the Twilio edge: the voice webhook answers an incoming call with TwiML that
 * connects it to our Media Stream (with the call's stream credential as a {@code <Parameter>}),
 * and the status webhook receives call and stream status. Both refuse a request without a
 * signature before reading its body, read at most {@link WebhookForm#MAX_BYTES} of it, and refuse
 * it unless its Twilio signature matches; nothing else looks at the form before that.
 */
public final class TwilioWebhooks implements HttpService {
    private static final System.Logger LOG = System.getLogger(TwilioWebhooks.class.getName());
    public static final String STREAM_PATH = "/twilio/stream";
    static final String STATUS_PATH = "/twilio/status";
    /** Where answering-machine detection and recording status are posted, under the public base URL. */
    public static final String AMD_PATH = "/twilio/amd";
    public static final String RECORDING_PATH = "/twilio/recording";
    /** The stream parameter that carries the public base URL, for the callbacks a call asks for later (recording status). */
    public static final String BASE_PARAMETER = "base";
    private static final HeaderName SIGNATURE = HeaderNames.create("X-Twilio-Signature");

    private final TwilioSignature signature;
    private final PublicAddress address;
    private final StreamCredentials credentials;
    private final BiFunction<String, String, Optional<String>> flowForCall;
    private final Callbacks callbacks;

    /** What Twilio reports about calls, each form already read within limits and its signature checked. */
    public interface Callbacks {
        /** Call and stream status. */
        void status(Map<String, String> form);

        /** Answering-machine detection's answer for a call ({@code AnsweredBy}: human, machine_end_beep, ...). */
        void answeredBy(String callSid, String answeredBy);

        /** A recording's status (RecordingSid, CallSid, RecordingStatus, RecordingDuration, RecordingChannels). */
        void recording(Map<String, String> form);
    }

    /**
     * @param flowForCall the flow that answers a call from its called and caller numbers, if any (carried to
     *                    the stream as a parameter): the called number's, or its draft for a staging caller
     * @param callbacks   receives every signed status, answering-machine and recording callback
     */
    public TwilioWebhooks(TwilioSignature signature, PublicAddress address, StreamCredentials credentials,
                          BiFunction<String, String, Optional<String>> flowForCall,
                          Callbacks callbacks) {
        this.signature = signature;
        this.address = address;
        this.credentials = credentials;
        this.flowForCall = flowForCall;
        this.callbacks = callbacks;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/voice", this::voice)
             .post("/status", this::status)
             .post("/amd", this::amd)
             .post("/recording", this::recording);
    }

    private void voice(ServerRequest req, ServerResponse res) {
        var params = verifiedForm(req, res);
        if (params.isEmpty()) {
            return;
        }
        var form = params.get();
        var to = form.getOrDefault("To", "");
        // an outbound call names its flow in the voice URL; an inbound one is routed by the number called (and the caller's: drafts)
        var flow = req.query().first("flow").asOptional().filter(f -> !f.isBlank())
                      .or(() -> flowForCall.apply(to, form.getOrDefault("From", "")));
        res.headers().set(HeaderNames.CONTENT_TYPE, "text/xml; charset=UTF-8");
        if (flow.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "Call {0} to {1}: no flow answers this number (and no default flow)",
                    LogText.clean(form.getOrDefault("CallSid", "?")), LogText.clean(to));
            res.send(TwimlWriter.sayAndHangUp("Sorry, this number is not in service."));
            return;
        }
        var parameters = new LinkedHashMap<String, String>();
        parameters.put("from", form.getOrDefault("From", ""));
        parameters.put("to", to);
        parameters.put("direction", form.getOrDefault("Direction", "inbound"));
        parameters.put("flow", flow.get());
        parameters.put(BASE_PARAMETER, address.httpBase(req.headers(), req.isSecure()));
        parameters.put(StreamCredentials.PARAMETER, credentials.mint(form.getOrDefault("CallSid", ""), flow.get()));
        res.send(TwimlWriter.connectStream(address.wss(req.headers(), STREAM_PATH),
                                     address.httpBase(req.headers(), req.isSecure()) + STATUS_PATH, parameters));
    }

    private void status(ServerRequest req, ServerResponse res) {
        var params = verifiedForm(req, res);
        if (params.isEmpty()) {
            return;
        }
        callbacks.status(params.get());
        res.status(Status.NO_CONTENT_204).send();
    }

    private void amd(ServerRequest req, ServerResponse res) {
        var params = verifiedForm(req, res);
        if (params.isEmpty()) {
            return;
        }
        var form = params.get();
        var sid = form.getOrDefault("CallSid", "");
        var answeredBy = form.getOrDefault("AnsweredBy", "");
        if (!sid.isEmpty() && !answeredBy.isEmpty()) {
            callbacks.answeredBy(sid, answeredBy);
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    private void recording(ServerRequest req, ServerResponse res) {
        var params = verifiedForm(req, res);
        if (params.isEmpty()) {
            return;
        }
        callbacks.recording(params.get());
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * Reads the form and checks its signature; on failure answers (403 unsigned or wrongly signed,
     * 413 too large, 400 malformed or too many parameters) and returns empty.
     */
    private Optional<Map<String, String>> verifiedForm(ServerRequest req, ServerResponse res) {
        return verifiedForm(signature, address, req, res);
    }

    /** As {@link #verifiedForm(ServerRequest, ServerResponse)}, for the other Twilio routes (the warm transfer's). */
    static Optional<Map<String, String>> verifiedForm(TwilioSignature signature, PublicAddress address,
                                                      ServerRequest req, ServerResponse res) {
        var header = req.headers().first(SIGNATURE);
        if (signature.enforced() && header.filter(h -> !h.isBlank()).isEmpty()) {
            return refuse(req, res, Status.FORBIDDEN_403, "missing X-Twilio-Signature header", "?"); // body unread
        }
        Map<String, String> form;
        try {
            form = WebhookForm.read(req);
        } catch (WebhookForm.Refused e) {
            return refuse(req, res, e.status(), e.getMessage(), "?");
        }
        var query = req.query().rawValue();
        var url = address.httpBase(req.headers(), req.isSecure()) + req.prologue().uriPath().rawPath()
                  + (query.isEmpty() ? "" : "?" + query);
        var problem = signature.problem(url, form, header);
        if (problem.isPresent()) {
            return refuse(req, res, Status.FORBIDDEN_403, problem.get(), form.getOrDefault("CallSid", "?"));
        }
        return Optional.of(form);
    }

    /**
     * Answers a refused webhook and logs one line (no stack trace). The connection is closed after
     * the answer, so that an unread body is not read just to be thrown away.
     */
    private static Optional<Map<String, String>> refuse(ServerRequest req, ServerResponse res, Status status,
                                                        String why, String callSid) {
        LOG.log(System.Logger.Level.WARNING, "Refused Twilio webhook {0} (CallSid {1}): {2} {3}",
                LogText.clean(req.path().rawPath()), LogText.clean(callSid), status.code(), why);
        res.status(status);
        res.headers().set(HeaderValues.CONNECTION_CLOSE);
        res.send((status == Status.FORBIDDEN_403 ? "Forbidden: " : "") + why);
        return Optional.empty();
    }
}
