package dev.dialtone.web;

import java.io.IOException;
import java.io.InputStream;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.dialtone.net.Json;
import dev.dialtone.store.CallStore;
import dev.dialtone.telephony.TwilioCalls;

/**
 * A call's recordings for the console: the list (sid, status, length) and the audio, fetched from
 * Twilio with the account's credentials and streamed through, so that the browser needs only the
 * admin token and never sees a Twilio URL or credential. Only a recording stored with that call
 * is served.
 */
final class RecordingProxy {
    private final CallStore store;
    private final TwilioCalls twilio;

    RecordingProxy(CallStore store, TwilioCalls twilio) {
        this.store = store;
        this.twilio = twilio;
    }

    void list(ServerRequest req, ServerResponse res) {
        var sid = req.path().pathParameters().get("sid");
        var out = Json.MAPPER.createArrayNode();
        for (var r : store.recordings(sid)) {
            var node = out.addObject().put("recordingSid", r.recordingSid()).put("status", r.status())
                          .put("updatedAt", r.updatedAt().toString())
                          .put("audio", "/api/calls/" + sid + "/recordings/" + r.recordingSid() + "/audio");
            r.channels().ifPresent(c -> node.put("channels", c));
            r.durationSeconds().ifPresent(d -> node.put("durationSeconds", d));
        }
        AdminApi.send(res, Status.OK_200, out);
    }

    void audio(ServerRequest req, ServerResponse res) {
        var sid = req.path().pathParameters().get("sid");
        var recording = req.path().pathParameters().get("recording");
        if (store.recordings(sid).stream().noneMatch(r -> r.recordingSid().equals(recording))) {
            AdminApi.error(res, Status.NOT_FOUND_404, "call " + sid + " has no recording " + recording);
            return;
        }
        try {
            var audio = twilio.recordingAudio(recording);
            if (audio.isEmpty()) {
                AdminApi.error(res, Status.NOT_FOUND_404, "Twilio has no audio for recording " + recording + " (yet)");
                return;
            }
            try (InputStream in = audio.get(); var out = res.header(HeaderNames.CONTENT_TYPE, "audio/mpeg")
                                                             .header(HeaderNames.CACHE_CONTROL, "no-store").outputStream()) {
                in.transferTo(out);
            }
        } catch (TwilioCalls.TwilioApiError e) {
            AdminApi.error(res, Status.BAD_GATEWAY_502, e.getMessage());
        } catch (IOException e) {
            // the browser went away mid-stream: nothing to answer
        }
    }
}
