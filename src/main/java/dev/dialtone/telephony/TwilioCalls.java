package dev.dialtone.telephony;

import java.io.InputStream;
import java.net.URI;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import com.twilio.exception.ApiException;
import com.twilio.http.HttpClient;
import com.twilio.http.NetworkHttpClient;
import com.twilio.http.Request;
import com.twilio.http.Response;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.Account;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.call.Recording;
import com.twilio.rest.Domains;
import com.twilio.http.HttpMethod;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;

import dev.dialtone.Settings;

/**
 * Twilio's REST API for live calls, through Twilio's own SDK: place an outbound call, redirect a
 * call (transfer) and hang up. The API base URL comes from {@code TWILIO_API_URL} so that tests
 * and staging can point it at a local fake.
 */
public final class TwilioCalls {
    private static final String TWILIO_API = "https://api.twilio.com";

    private final Settings.Twilio settings;
    private TwilioRestClient client; // guarded by this; made at the first request (see RebasedClient)
    private final String accountSid;
    private final AtomicInteger hangUpsInFlight = new AtomicInteger();
    private final boolean configured;

    public TwilioCalls(Settings.Twilio twilio) {
        this.configured = !twilio.accountSid().isEmpty() && twilio.authToken().isSet();
        this.accountSid = twilio.accountSid().isEmpty() ? "AC_unconfigured" : twilio.accountSid();
        this.settings = twilio;
    }

    /** The SDK's client, made at the first request: its classes (Apache HttpClient) cost start-up time. */
    private synchronized TwilioRestClient client() {
        if (client == null) {
            client = new TwilioRestClient.Builder(accountSid, settings.authToken().value())
                    .httpClient(new RebasedClient(settings.apiUrl()))
                    .build();
        }
        return client;
    }

    /** Whether an account sid and auth token are set (REST calls fail otherwise). */
    public boolean configured() {
        return configured;
    }

    /** Places an outbound call whose answer fetches TwiML from {@code voiceUrl}; returns the call sid. */
    public String placeCall(String to, String from, URI voiceUrl, URI statusCallback) {
        return placeCall(to, from, voiceUrl, statusCallback, Optional.empty());
    }

    /**
     * As {@link #placeCall(String, String, URI, URI)}; with {@code amdCallback}, Twilio's asynchronous
     * answering-machine detection runs beside the call ({@code DetectMessageEnd}: a machine is reported
     * once its greeting has ended, at the beep) and posts its answer ({@code AnsweredBy}) there.
     */
    public String placeCall(String to, String from, URI voiceUrl, URI statusCallback, Optional<URI> amdCallback) {
        return run(() -> {
            var creator = Call.creator(new PhoneNumber(to), new PhoneNumber(from), voiceUrl)
                    .setStatusCallback(statusCallback)
                    .setStatusCallbackEvent(List.of("initiated", "ringing", "answered", "completed"));
            amdCallback.ifPresent(url -> creator.setMachineDetection("DetectMessageEnd").setAsyncAmd("true")
                    .setAsyncAmdStatusCallback(url).setAsyncAmdStatusCallbackMethod(HttpMethod.POST));
            return creator.create(client()).getSid();
        });
    }

    /**
     * Starts recording a live call (Recordings API); Twilio posts its progress to {@code statusCallback}.
     * Returns the recording's sid.
     */
    public String startRecording(String callSid, boolean dual, URI statusCallback) {
        return run(() -> Recording.creator(callSid)
                .setRecordingChannels(dual ? "dual" : "mono")
                .setRecordingStatusCallback(statusCallback)
                .setRecordingStatusCallbackMethod(HttpMethod.POST)
                .setRecordingStatusCallbackEvent(List.of("in-progress", "completed", "absent"))
                .create(client())
                .getSid());
    }

    /** Deletes a recording at Twilio; one already gone counts as deleted. */
    public void deleteRecording(String recordingSid) {
        int status = run(() -> client().request(new Request(HttpMethod.DELETE, Domains.API.toString(),
                recordingPath(recordingSid, ".json"))).getStatusCode());
        if (status >= 300 && status != 404) {
            throw new TwilioApiError("Twilio API error " + status + " deleting a recording", null);
        }
    }

    /**
     * A recording's audio (MP3) with the account's credentials, for the console to play through the
     * server; empty when Twilio has none (yet). The caller closes the stream.
     */
    public Optional<InputStream> recordingAudio(String recordingSid) {
        return run(() -> {
            var response = client().request(new Request(HttpMethod.GET, Domains.API.toString(),
                    recordingPath(recordingSid, ".mp3")));
            if (response.getStatusCode() == 404) {
                return Optional.<InputStream>empty();
            }
            if (response.getStatusCode() >= 300) {
                throw new TwilioApiError("Twilio API error " + response.getStatusCode() + " fetching a recording", null);
            }
            return Optional.of(response.getStream());
        });
    }

    /** Transfers a live call to another number: its TwiML is replaced by a {@code <Dial>}. */
    public void transfer(String callSid, String number) {
        run(() -> Call.updater(callSid).setTwiml(new Twiml(TwimlWriter.dial(number))).update(client()));
    }

    /** Replaces a live call's TwiML (a warm transfer's hold, the caller's way back to a new stream). */
    public void redirect(String callSid, String twiml) {
        run(() -> Call.updater(callSid).setTwiml(new Twiml(twiml)).update(client()));
    }

    /**
     * Dials the human of a warm transfer: Twilio fetches {@code answerUrl} (POST) for the TwiML once
     * they answer, posts each status change (ringing, answered, completed; a completed one carries
     * busy, no-answer, failed or canceled) to {@code statusCallback}, and gives up after
     * {@code ringSeconds} of ringing. Returns the new call's sid.
     */
    public String dialHuman(String to, String from, URI answerUrl, URI statusCallback, int ringSeconds) {
        return run(() -> Call.creator(new PhoneNumber(to), new PhoneNumber(from), answerUrl)
                .setMethod(HttpMethod.POST)
                .setStatusCallback(statusCallback)
                .setStatusCallbackMethod(HttpMethod.POST)
                .setStatusCallbackEvent(List.of("initiated", "ringing", "answered", "completed"))
                .setTimeout(ringSeconds)
                .create(client()).getSid());
    }

    /** Stops a call that is ringing ({@code canceled}) or in progress ({@code completed}). */
    public void end(String callSid, boolean ringing) {
        run(() -> Call.updater(callSid).setStatus(ringing ? Call.UpdateStatus.CANCELED : Call.UpdateStatus.COMPLETED)
                .update(client()));
    }

    /** The account's status ("active", "suspended", "closed"): a check that the credentials work. */
    public String accountStatus() {
        return run(() -> Account.fetcher(accountSid).fetch(client()).getStatus().toString());
    }

    /** Ends a live call. */
    public void hangUp(String callSid) {
        run(() -> Call.updater(callSid).setStatus(Call.UpdateStatus.COMPLETED).update(client()));
    }

    /**
     * Hangs up in the background (the caller's thread does not wait for Twilio); counted from this
     * moment until Twilio answered, so that a stopping server can wait for it ({@link #awaitHangUps}).
     */
    public void hangUpLater(String callSid, Consumer<RuntimeException> onFailure) {
        hangUpsInFlight.incrementAndGet();
        Thread.ofVirtual().start(() -> {
            try {
                hangUp(callSid);
            } catch (RuntimeException e) {
                onFailure.accept(e);
            } finally {
                hangUpsInFlight.decrementAndGet();
            }
        });
    }

    /** Waits up to {@code timeout} for the hang-ups sent with {@link #hangUpLater} to be answered; whether they were. */
    public boolean awaitHangUps(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (hangUpsInFlight.get() > 0) {
            if (System.nanoTime() - end >= 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private String recordingPath(String recordingSid, String suffix) {
        if (!recordingSid.matches("RE[0-9a-fA-F]{32}")) {
            throw new TwilioApiError("not a recording sid", null);
        }
        return "/2010-04-01/Accounts/" + accountSid + "/Recordings/" + recordingSid + suffix;
    }

    /** A REST call that failed; the message carries Twilio's error, never the credentials. */
    public static final class TwilioApiError extends RuntimeException {
        TwilioApiError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private <T> T run(Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            throw new TwilioApiError("Twilio API error " + e.getStatusCode() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new TwilioApiError("Twilio API request failed: " + e.getMessage(), e);
        }
    }

    /**
     * Sends the SDK's requests to another base URL (a fake, a proxy) instead of api.twilio.com.
     * The SDK's HTTP client (Apache HttpClient, with its public-suffix list) is made at the first
     * request, not during the server's start-up, which it slowed by a quarter of a second.
     */
    private static final class RebasedClient extends HttpClient {
        private final String base;
        private NetworkHttpClient network; // guarded by this; made at the first request

        RebasedClient(URI base) {
            this.base = base.toString();
        }

        @Override
        public Response makeRequest(Request request) {
            var url = request.constructURL().toString();
            if (!url.startsWith(TWILIO_API) || base.equals(TWILIO_API)) {
                return network().makeRequest(request);
            }
            var rebased = new Request(request.getMethod(), base + url.substring(TWILIO_API.length()));
            copy(request.getPostParams(), rebased::addPostParam);
            copy(request.getHeaderParams(), rebased::addHeaderParam);
            if (request.getUsername() != null) {
                rebased.setAuth(request.getUsername(), request.getPassword());
            } else if (request.getAuthStrategy() != null) {
                rebased.setAuth(request.getAuthStrategy());
            }
            rebased.setContentType(request.getContentType());
            if (request.getBody() != null) {
                rebased.setBody(request.getBody());
            }
            return network().makeRequest(rebased);
        }

        private synchronized NetworkHttpClient network() {
            if (network == null) {
                network = new NetworkHttpClient();
            }
            return network;
        }

        private static void copy(Map<String, List<String>> from, BiConsumer<String, String> to) {
            from.forEach((name, values) -> values.forEach(v -> to.accept(name, v)));
        }
    }
}
