package dev.dialtone.fakes;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * A fake of Twilio's REST API for calls (protocols.md section 3): create a call, update a live
 * call (TwiML redirect or Status=completed). It checks HTTP Basic auth, answers with JSON shaped
 * like Twilio's call resource (or Twilio's error JSON), and records every request.
 *
 * <pre>{@code
 * try (var api = FakeTwilioApi.start("AC123", "token")) {
 *     settings with TWILIO_API_URL = api.url() ...
 * }
 * }</pre>
 */
public final class FakeTwilioApi implements AutoCloseable {
    /** One request as received. */
    public record ApiRequest(String method, String path, Map<String, String> form) {
    }

    private final String accountSid;
    private final String authToken;
    private final WebServer server;
    private final List<ApiRequest> requests = new ArrayList<>(); // guarded by itself
    private volatile int failWithStatus;
    private final Map<String, byte[]> recordings = new ConcurrentHashMap<>(); // sid -> audio
    private final Map<String, Map<String, String>> created = new ConcurrentHashMap<>(); // call sid -> Calls.json form
    private volatile BiConsumer<String, String> onTwiml = (sid, twiml) -> { };

    private FakeTwilioApi(String accountSid, String authToken) {
        this.accountSid = accountSid;
        this.authToken = authToken;
        this.server = WebServer.builder().port(0)
                .routing(r -> r.post("/2010-04-01/Accounts/{account}/Calls.json", this::create)
                               .post("/2010-04-01/Accounts/{account}/Calls/{call}/Recordings.json", this::startRecording)
                               .post("/2010-04-01/Accounts/{account}/Calls/{call}", this::update)
                               .get("/2010-04-01/Accounts/{account}/Recordings/{recording}", this::recordingMedia)
                               .delete("/2010-04-01/Accounts/{account}/Recordings/{recording}", this::deleteRecording)
                               .get("/2010-04-01/Accounts/{account}", this::account))
                .build().start();
    }

    public static FakeTwilioApi start(String accountSid, String authToken) {
        return new FakeTwilioApi(accountSid, authToken);
    }

    public URI url() {
        return URI.create("http://localhost:" + server.port());
    }

    /** Makes every following request fail with this HTTP status (0: succeed again). */
    public void failWith(int status) {
        this.failWithStatus = status;
    }

    public List<ApiRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() {
        server.stop();
    }

    private void create(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        var form = record(req);
        if (!form.containsKey("To") || !form.containsKey("From")) {
            error(res, 400, 21201, "Missing required parameter To or From");
            return;
        }
        var sid = FakeTwilio.newSid("CA");
        created.put(sid, form);
        respondCall(res, sid, "queued", form);
    }

    /** The form a call was created with (Calls.json), by the sid the fake gave it. */
    public Map<String, String> created(String callSid) {
        return created.getOrDefault(callSid, Map.of());
    }

    /** The sids of the calls created so far whose To is {@code to}. */
    public List<String> createdTo(String to) {
        synchronized (requests) {
            return created.entrySet().stream().filter(e -> to.equals(e.getValue().get("To"))).map(Map.Entry::getKey).toList();
        }
    }

    /**
     * Told (call sid, TwiML) after each update that replaces a live call's TwiML, as Twilio then runs
     * it: after answering the request, on a thread of its own ({@link FakeTwilio#follow}).
     */
    public void onTwiml(BiConsumer<String, String> listener) {
        this.onTwiml = listener;
    }

    private void update(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        var form = record(req);
        var sid = req.path().pathParameters().get("call").replace(".json", "");
        respondCall(res, sid, form.getOrDefault("Status", "in-progress"), form);
        var twiml = form.get("Twiml");
        if (twiml != null) {
            var listener = onTwiml;
            Thread.ofVirtual().start(() -> listener.accept(sid, twiml));
        }
    }

    /** GET of the account itself (the path parameter carries ".json"), as Account.fetcher asks. */
    private void account(ServerRequest req, ServerResponse res) {
        var account = req.path().pathParameters().get("account").replace(".json", "");
        if (!admittedAs(req, res, account)) {
            return;
        }
        synchronized (requests) {
            requests.add(new ApiRequest("GET", req.path().rawPath(), Map.of()));
        }
        res.headers().set(HeaderNames.CONTENT_TYPE, "application/json");
        res.send("""
                {"sid":"%s","friendly_name":"Fake account","status":"active","type":"Full","auth_token":"hidden",
                 "date_created":"Mon, 07 Dec 2026 00:00:00 +0000","uri":"/2010-04-01/Accounts/%s.json"}""".formatted(account, account));
    }

    /** The recordings that exist (started and not deleted), by sid. */
    public Set<String> recordings() {
        return Set.copyOf(recordings.keySet());
    }

    /** A recording Twilio holds with this audio (as if a call had been recorded earlier). */
    public void addRecording(String sid, byte[] audio) {
        recordings.put(sid, audio.clone());
    }

    /** Starts recording a call (Recordings API): 201 with the recording resource; its audio is a short fake MP3. */
    private void startRecording(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        var form = record(req);
        var call = req.path().pathParameters().get("call");
        var channels = form.getOrDefault("RecordingChannels", "mono");
        if (!channels.equals("mono") && !channels.equals("dual")) {
            error(res, 400, 21220, "RecordingChannels must be mono or dual");
            return;
        }
        var sid = "RE" + FakeTwilio.newSid("CA").substring(2);
        recordings.put(sid, ("ID3fake-mp3-of-" + call).getBytes(StandardCharsets.UTF_8));
        res.status(Status.CREATED_201);
        res.headers().set(HeaderNames.CONTENT_TYPE, "application/json");
        res.send("""
                {"sid":"%s","account_sid":"%s","call_sid":"%s","status":"in-progress","channels":%d,"source":"StartCallRecordingAPI",
                 "track":"both","uri":"/2010-04-01/Accounts/%s/Calls/%s/Recordings/%s.json"}"""
                .formatted(sid, accountSid, call, channels.equals("dual") ? 2 : 1, accountSid, call, sid));
    }

    /** GET .../Recordings/RE....mp3: the audio (Twilio serves it behind the account's Basic auth). */
    private void recordingMedia(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        var name = req.path().pathParameters().get("recording");
        synchronized (requests) {
            requests.add(new ApiRequest("GET", req.path().rawPath(), Map.of()));
        }
        var audio = name.endsWith(".mp3") ? recordings.get(name.substring(0, name.length() - 4)) : null;
        if (audio == null) {
            error(res, 404, 20404, "The requested resource was not found");
            return;
        }
        res.headers().set(HeaderNames.CONTENT_TYPE, "audio/mpeg");
        res.send(audio);
    }

    /** DELETE .../Recordings/RE....json: 204, or 404 when there is no such recording. */
    private void deleteRecording(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        synchronized (requests) {
            requests.add(new ApiRequest("DELETE", req.path().rawPath(), Map.of()));
        }
        var sid = req.path().pathParameters().get("recording").replace(".json", "");
        if (recordings.remove(sid) == null) {
            error(res, 404, 20404, "The requested resource was not found");
            return;
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    private boolean admitted(ServerRequest req, ServerResponse res) {
        return admittedAs(req, res, req.path().pathParameters().get("account"));
    }

    private boolean admittedAs(ServerRequest req, ServerResponse res, String account) {
        var expected = "Basic " + Base64.getEncoder().encodeToString(
                (accountSid + ":" + authToken).getBytes(StandardCharsets.UTF_8));
        if (!req.headers().first(HeaderNames.AUTHORIZATION).orElse("").equals(expected)
                || !account.equals(accountSid)) {
            error(res, 401, 20003, "Authenticate");
            return false;
        }
        if (failWithStatus != 0) {
            error(res, failWithStatus, 20500, "Injected failure");
            return false;
        }
        return true;
    }

    private Map<String, String> record(ServerRequest req) {
        var form = new LinkedHashMap<String, String>();
        for (var pair : req.content().as(String.class).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                         URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        synchronized (requests) {
            requests.add(new ApiRequest(req.prologue().method().text(), req.path().rawPath(), form));
        }
        return form;
    }

    private void respondCall(ServerResponse res, String sid, String status, Map<String, String> form) {
        res.status(sid.startsWith("CA") && status.equals("queued") ? Status.CREATED_201 : Status.OK_200);
        res.headers().set(HeaderNames.CONTENT_TYPE, "application/json");
        res.send("""
                {"sid":"%s","account_sid":"%s","status":"%s","to":"%s","from":"%s","api_version":"2010-04-01",
                 "uri":"/2010-04-01/Accounts/%s/Calls/%s.json"}"""
                .formatted(sid, accountSid, status, form.getOrDefault("To", ""), form.getOrDefault("From", ""),
                           accountSid, sid));
    }

    private static void error(ServerResponse res, int status, int code, String message) {
        res.status(Status.create(status));
        res.headers().set(HeaderNames.CONTENT_TYPE, "application/json");
        res.send("{\"code\":%d,\"message\":\"%s\",\"more_info\":\"https://www.twilio.com/docs/errors/%d\",\"status\":%d}"
                         .formatted(code, message, code, status));
    }
}
