package dev.dialtone.fakes;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.helidon.webclient.websocket.WsClient;

/**
 * A fake Twilio that places calls into a Dialtone server the way Twilio does: it signs and POSTs
 * the voice webhook, reads the TwiML, opens the Media Stream with a signature over the TwiML's
 * wss URL, and then behaves like Twilio's side of the stream ({@link FakeCall}).
 *
 * <pre>{@code
 * var twilio = new FakeTwilio(URI.create("http://localhost:" + port), "token");
 * try (var call = twilio.dial("+15551230000", "+15550001111")) {
 *     call.sendAudio(FakeAudio.tone(440, 1000));   // real 20 ms pacing
 *     call.awaitMark("seg-1", Duration.ofSeconds(2));
 *     call.stop();
 * }
 * }</pre>
 *
 * The server's real address is {@code server}; the TwiML's wss URL is what gets signed, but the
 * socket is opened on {@code server} (plain ws, as tests have no TLS).
 */
public final class FakeTwilio {
    private static final AtomicLong SIDS = new AtomicLong();
    private static final Pattern STREAM = Pattern.compile("<Stream([^>]*)>(.*?)</Stream>", Pattern.DOTALL);
    private static final Pattern ATTR = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern PARAM = Pattern.compile("<Parameter name=\"([^\"]*)\" value=\"([^\"]*)\"/>");

    private final URI server;
    private final String authToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String accountSid = "AC" + "0".repeat(32);
    private final Map<String, WsClient> streamClients = new ConcurrentHashMap<>();
    private final Map<String, FakeCall> live = new ConcurrentHashMap<>(); // call sid -> its latest stream

    /** @param authToken the token to sign with; empty sends no signature */
    public FakeTwilio(URI server, String authToken) {
        this.server = base(server);
        this.authToken = authToken;
    }

    /** The TwiML a voice webhook answered, as Twilio reads it. */
    public record TwimlAnswer(int status, String body, String streamUrl, String statusCallback, Map<String, String> parameters) {
    }

    /** Places a call: webhook, TwiML, signed stream, connected + start. */
    public FakeCall dial(String from, String to) throws IOException, InterruptedException {
        var callSid = newSid("CA");
        var twiml = voiceWebhook(callParams(callSid, from, to));
        if (twiml.status() != 200 || twiml.streamUrl() == null) {
            throw new IOException("voice webhook answered " + twiml.status() + ": " + twiml.body());
        }
        return openStream(callSid, twiml);
    }

    /** The form parameters Twilio sends with a voice webhook for a new inbound call. */
    public Map<String, String> callParams(String callSid, String from, String to) {
        var params = new LinkedHashMap<String, String>();
        params.put("CallSid", callSid);
        params.put("AccountSid", accountSid);
        params.put("From", from);
        params.put("To", to);
        params.put("CallStatus", "ringing");
        params.put("ApiVersion", "2010-04-01");
        params.put("Direction", "inbound");
        return params;
    }

    /** POSTs the voice webhook, signed over exactly what is sent. */
    public TwimlAnswer voiceWebhook(Map<String, String> params) throws IOException, InterruptedException {
        var url = server + "/twilio/voice";
        var res = post(url, params, authToken.isEmpty() ? null : TwilioSigner.sign(authToken, url, params));
        return parseTwiml(res.statusCode(), res.body());
    }

    /**
     * The callee of an outbound call placed through the REST API answered: Twilio fetches the
     * call's voice URL (the public one it was given, which it signs; the request goes to the same
     * path on the server) with {@code Direction=outbound-api}, then opens the stream its TwiML names.
     */
    public FakeCall answerOutbound(String callSid, String from, String to, String voiceUrl)
            throws IOException, InterruptedException {
        var params = callParams(callSid, from, to);
        params.put("Direction", "outbound-api");
        params.put("CallStatus", "in-progress");
        var res = post(local(voiceUrl), params, authToken.isEmpty() ? null : TwilioSigner.sign(authToken, voiceUrl, params));
        var twiml = parseTwiml(res.statusCode(), res.body());
        if (twiml.status() != 200 || twiml.streamUrl() == null) {
            throw new IOException("voice webhook answered " + twiml.status() + ": " + twiml.body());
        }
        return openStream(callSid, twiml);
    }

    /**
     * Posts a signed callback the way Twilio does to a URL the server gave it (an AsyncAmdStatusCallback,
     * a RecordingStatusCallback): {@code url} is that public URL, which is what Twilio signs, and
     * the request goes to the same path on the server. Returns the HTTP status.
     */
    public int callback(String url, Map<String, String> params) throws IOException, InterruptedException {
        var local = local(url);
        var form = new LinkedHashMap<String, String>(params);
        form.putIfAbsent("AccountSid", accountSid);
        form.putIfAbsent("ApiVersion", "2010-04-01");
        return post(local, form, authToken.isEmpty() ? null : TwilioSigner.sign(authToken, url, form)).statusCode();
    }

    /** The latest stream opened for a call. */
    public Optional<FakeCall> stream(String callSid) {
        return Optional.ofNullable(live.get(callSid));
    }

    /** POSTs a signed form to a public URL the server gave Twilio (a TwiML URL, a Gather action); the answer's body. */
    public HttpResponse<String> signedPost(String url, Map<String, String> params) throws IOException, InterruptedException {
        var form = new LinkedHashMap<String, String>(params);
        form.putIfAbsent("AccountSid", accountSid);
        form.putIfAbsent("ApiVersion", "2010-04-01");
        return post(local(url), form, authToken.isEmpty() ? null : TwilioSigner.sign(authToken, url, form));
    }

    /** GETs a media URL the server gave Twilio (a {@code <Play>}); Twilio fetches media unsigned. */
    public HttpResponse<byte[]> fetchMedia(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(local(url))).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The same path and query on the server. */
    private String local(String publicUrl) {
        var path = URI.create(publicUrl);
        return server + path.getRawPath() + (path.getRawQuery() == null ? "" : "?" + path.getRawQuery());
    }

    /** POSTs a form with the given signature header (null: no header); for signature tests. */
    public HttpResponse<String> post(String url, Map<String, String> params, String signature)
            throws IOException, InterruptedException {
        var body = params.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        var req = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            req.header("X-Twilio-Signature", signature);
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens the Media Stream the TwiML asked for, signed like Twilio, and sends connected + start. */
    public FakeCall openStream(String callSid, TwimlAnswer twiml) throws IOException {
        var call = connectOnly(callSid, twiml);
        live.put(callSid, call);
        call.begin();
        return call;
    }

    /** Opens the signed socket but sends nothing yet ({@link FakeCall#begin()} sends connected + start). */
    public FakeCall connectOnly(String callSid, TwimlAnswer twiml) throws IOException {
        var signature = authToken.isEmpty() ? null : TwilioSigner.sign(authToken, twiml.streamUrl(), Map.of());
        return FakeCall.connect(this, socketUri(twiml.streamUrl()), signature, callSid, newSid("MZ"), accountSid, twiml);
    }

    /**
     * Opens the stream the TwiML asked for, signed like Twilio, as raw bytes on a TCP socket
     * ({@link RawTwilioStream}: for tests that drop the connection or send what a WebSocket
     * client would not); nothing is sent after the upgrade.
     */
    public RawTwilioStream raw(TwimlAnswer twiml) throws IOException {
        var signature = authToken.isEmpty() ? null : TwilioSigner.sign(authToken, twiml.streamUrl(), Map.of());
        return RawTwilioStream.open(socketUri(twiml.streamUrl()), signature);
    }

    /**
     * Opens the browser softphone's stream ({@code /softphone?token=}) the way the console does: the
     * same Media Streams protocol, a made-up call sid, and the flow in the start parameters.
     */
    public FakeCall softphone(String adminToken, String flow) throws IOException {
        var params = new LinkedHashMap<String, String>();
        params.put("from", "softphone");
        params.put("to", "softphone");
        params.put("flow", flow);
        var twiml = new TwimlAnswer(200, "", "wss://" + server.getRawAuthority() + "/softphone", null, params);
        var query = adminToken.isEmpty() ? "" : "?token=" + URLEncoder.encode(adminToken, StandardCharsets.UTF_8);
        var call = FakeCall.connect(this, URI.create("ws://" + server.getRawAuthority() + "/softphone" + query), null,
                                    newSid("SP"), newSid("MZ"), accountSid, twiml);
        call.begin();
        return call;
    }

    /** The ws:// address on the real server for a wss URL from TwiML. */
    public URI socketUri(String wssUrl) {
        var path = URI.create(wssUrl).getRawPath();
        return URI.create("ws://" + server.getRawAuthority() + path);
    }

    /** Sends a stream status callback (stream-started, stream-stopped) like Twilio. */
    void streamStatus(TwimlAnswer twiml, String callSid, String streamSid, String event) {
        if (twiml.statusCallback() == null) {
            return;
        }
        var params = new LinkedHashMap<String, String>();
        params.put("AccountSid", accountSid);
        params.put("CallSid", callSid);
        params.put("StreamSid", streamSid);
        params.put("StreamEvent", event);
        params.put("Timestamp", java.time.Instant.now().toString());
        var url = server + URI.create(twiml.statusCallback()).getRawPath();
        try {
            post(url, params, authToken.isEmpty() ? null : TwilioSigner.sign(authToken, url, params));
        } catch (IOException e) {
            // Twilio ignores failing status callbacks too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Helidon's WebSocket client (blocking I/O on a virtual thread per socket; the benchmark runs
     * hundreds) for streams with this signature header (null: none). Built once per signature: a
     * client's construction loads services and costs more than the connection itself, and every
     * call to the same stream URL carries the same signature.
     */
    WsClient streamClient(String signature) {
        return streamClients.computeIfAbsent(signature == null ? "" : signature, s -> {
            var builder = WsClient.builder().connectTimeout(Duration.ofSeconds(5));
            if (!s.isEmpty()) {
                builder.addHeader("X-Twilio-Signature", s);
            }
            return builder.build();
        });
    }

    /** The server's address without a trailing slash, so that {@code base + "/path"} is the real path. */
    public static URI base(URI server) {
        var s = server.toString();
        return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    public String accountSid() {
        return accountSid;
    }

    public static String newSid(String prefix) {
        return prefix + String.format("%032x", SIDS.incrementAndGet() ^ UUID.randomUUID().getLeastSignificantBits())
                                 .substring(0, 32);
    }

    static TwimlAnswer parseTwiml(int status, String body) {
        var m = STREAM.matcher(body);
        if (status != 200 || !m.find()) {
            return new TwimlAnswer(status, body, null, null, Map.of());
        }
        var attrs = attributes(m.group(1));
        var params = new LinkedHashMap<String, String>();
        Matcher p = PARAM.matcher(m.group(2));
        while (p.find()) {
            params.put(unescape(p.group(1)), unescape(p.group(2)));
        }
        return new TwimlAnswer(status, body, attrs.get("url"), attrs.get("statusCallback"), params);
    }

    private static Map<String, String> attributes(String text) {
        var attrs = new LinkedHashMap<String, String>();
        var m = ATTR.matcher(text);
        while (m.find()) {
            attrs.put(m.group(1), unescape(m.group(2)));
        }
        return attrs;
    }

    static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
