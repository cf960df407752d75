package dev.dialtone.conversation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import java.io.ByteArrayOutputStream;

import dev.dialtone.flow.ProviderCatalog;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.telephony.ConferenceTransfer;

/**
 * The briefing of a warm transfer: a short spoken summary of the call so far for the human about
 * to take it, written by the flow's LLM (a plain chat request, no tools) from the call's record and
 * state, as the record has them (what the flow's {@code redact:} masks stays masked, masked digits
 * show as ****1234), then synthesised in the flow's voice. Each step is bounded; a failed LLM gives
 * a fixed line, a failed TTS leaves the text alone (Twilio then says it in its own voice).
 */
final class Briefing {
    private static final System.Logger LOG = System.getLogger(Briefing.class.getName());
    static final Duration LLM_LIMIT = Duration.ofSeconds(8);
    static final Duration TTS_LIMIT = Duration.ofSeconds(8);
    /** The most turns of the call the summary is written from (the latest), and characters of audio text. */
    static final int MAX_TURNS = 40;
    static final int MAX_CHARS = 600;
    /** At most 60 s of mu-law 8 kHz audio is kept for the human's briefing. */
    static final int MAX_AUDIO = 8000 * 60;
    static final String FALLBACK = "A caller is waiting to speak with you.";
    private static final String INSTRUCTIONS = "You brief a member of staff who is about to take over a phone call "
            + "from an automated assistant. In two or three short spoken sentences, say who is calling, what they "
            + "want and what has been done so far. No lists, no markdown.";

    private Briefing() {
    }

    /** Writes and synthesises the briefing on a virtual thread; the future never fails. */
    static CompletableFuture<ConferenceTransfer.Briefing> write(HeldCall call, TextToSpeech tts, TtsOptions voice) {
        var out = new CompletableFuture<ConferenceTransfer.Briefing>();
        Thread.ofVirtual().name("briefing-" + call.callSid()).start(() -> {
            var text = summary(call);
            out.complete(new ConferenceTransfer.Briefing(text, speak(tts, voice, text, call.callSid())));
        });
        return out;
    }

    /** The LLM's summary, or the fixed line when it fails or is late. */
    static String summary(HeldCall call) {
        var block = call.flow().flow().llm();
        var guidance = call.spec().briefing().map(b -> INSTRUCTIONS + "\n\n" + b).orElse(INSTRUCTIONS);
        var request = new ChatRequest(block.model().orElse(ProviderCatalog.defaultModel(block.provider())),
                                      block.temperature(), Optional.of(300), guidance,
                                      List.of(new ChatMessage.User(record(call))), List.of());
        var text = new StringBuilder();
        var done = new CompletableFuture<Boolean>();
        var stream = call.llm().stream(request, event -> {
            switch (event) {
                case ChatEvent.TextDelta delta -> text.append(delta.text());
                case ChatEvent.Done d -> done.complete(true);
                case ChatEvent.Failed failed -> done.complete(false);
                default -> {
                }
            }
        });
        try {
            if (done.get(LLM_LIMIT.toMillis(), TimeUnit.MILLISECONDS) && !text.toString().isBlank()) {
                var s = text.toString().strip();
                return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS);
            }
        } catch (Exception e) {
            stream.cancel();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.log(System.Logger.Level.WARNING, "Call {0}: the transfer briefing could not be written; a fixed line is used",
                call.callSid());
        return FALLBACK;
    }

    /** The call as the record keeps it: the turns (masked where the flow redacts) and the state. */
    static String record(HeldCall call) {
        var redaction = call.flow().flow().redaction();
        var lines = new ArrayList<String>();
        lines.add("Caller's number: " + call.from());
        var turns = call.transcript().turns();
        for (var turn : turns.subList(Math.max(0, turns.size() - MAX_TURNS), turns.size())) {
            if (!turn.callerText().isBlank()) {
                lines.add("Caller: " + turn.callerText());
            }
            if (!turn.agentText().isBlank()) {
                lines.add("Assistant: " + turn.agentText());
            }
        }
        call.shownState().forEach((k, v) -> lines.add("State " + k + ": " + redaction.apply(v)));
        return String.join("\n", lines);
    }

    /** The text in the flow's voice (mu-law 8 kHz); empty when the TTS fails or is late. */
    private static Optional<byte[]> speak(TextToSpeech tts, TtsOptions voice, String text, String callSid) {
        var audio = new ByteArrayOutputStream();
        var done = new CompletableFuture<Boolean>();
        var session = tts.open(voice, event -> {
            switch (event) {
                case TtsEvent.Audio a -> {
                    synchronized (audio) {
                        if (audio.size() + a.mulaw().length <= MAX_AUDIO) {
                            audio.writeBytes(a.mulaw());
                        }
                    }
                }
                case TtsEvent.SegmentDone d -> done.complete(true);
                case TtsEvent.Failed f -> done.complete(false);
                default -> {
                }
            }
        });
        try {
            session.speak(1, text);
            session.flush();
            if (done.get(TTS_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                synchronized (audio) {
                    return audio.size() == 0 ? Optional.empty() : Optional.of(audio.toByteArray());
                }
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            session.close();
        }
        LOG.log(System.Logger.Level.WARNING, "Call {0}: the transfer briefing could not be synthesised; Twilio will say it",
                callSid);
        return Optional.empty();
    }
}
