package dev.dialtone;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.dialtone.flow.ProviderCatalog;
import dev.dialtone.llm.ChatEvent;
import dev.dialtone.llm.ChatMessage;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.ChatRequest;
import dev.dialtone.llm.ToolSpec;
import dev.dialtone.speech.SpeechToText;
import dev.dialtone.speech.SttEvent;
import dev.dialtone.speech.SttOptions;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.TtsEvent;
import dev.dialtone.speech.TtsOptions;
import dev.dialtone.telephony.TwilioCalls;

/**
 * {@code bin/dialtone test --live}: a short call's worth of requests to every real provider whose
 * key is set, with the server's own clients and settings, so that an operator proves a deployment
 * in a minute. Each text-to-speech speaks a line; the speech-to-text hears that audio back; each
 * LLM is asked to call a tool; Twilio's REST API is asked for the account. Providers without a key
 * are skipped. Exit 0 when nothing failed, 1 otherwise. Nothing here is logged with the keys.
 */
final class LiveCheck {
    static final String LINE = "Thanks for calling. How can I help you today?";
    private static final long WAIT_SECONDS = 20;
    private static final ToolSpec CLOCK = new ToolSpec("check_clock", "Tells the current time",
            "{\"type\":\"object\",\"properties\":{\"timezone\":{\"type\":\"string\"}},\"required\":[\"timezone\"]}");

    /** One check's outcome. */
    record Outcome(String provider, String part, Status status, String detail) {
        enum Status { OK, FAILED, SKIPPED }

        String line() {
            return "%-11s %-5s %-8s %s".formatted(provider, part, status.name().toLowerCase(), detail);
        }
    }

    private LiveCheck() {
    }

    static int run(Settings settings, PrintStream out) {
        out.println("Live check against the providers whose keys are set (a few seconds each)...");
        var providers = Main.providers(settings);
        var outcomes = new ArrayList<Outcome>();
        byte[] audio = null;
        for (var provider : settings.providers()) {
            if (!provider.configured()) {
                report(out, outcomes, new Outcome(provider.name(), "", Outcome.Status.SKIPPED,
                        "no " + provider.name().toUpperCase() + "_API_KEY"));
            }
        }
        for (var tts : providers.tts().entrySet()) {
            var spoken = speak(tts.getKey(), tts.getValue());
            report(out, outcomes, spoken.outcome());
            if (audio == null && spoken.audio().length > 0) {
                audio = spoken.audio();
            }
        }
        for (var stt : providers.stt().entrySet()) {
            report(out, outcomes, audio == null
                    ? new Outcome(stt.getKey(), "stt", Outcome.Status.SKIPPED, "no speech to transcribe: no TTS worked")
                    : listen(stt.getKey(), stt.getValue(), audio));
        }
        for (var llm : providers.llm().entrySet()) {
            report(out, outcomes, ask(llm.getKey(), llm.getValue()));
        }
        report(out, outcomes, twilio(settings));
        long failed = outcomes.stream().filter(o -> o.status() == Outcome.Status.FAILED).count();
        long ok = outcomes.stream().filter(o -> o.status() == Outcome.Status.OK).count();
        if (failed + ok == 0) {
            out.println("Nothing checked: set the keys of the providers your flows use (see README, Settings).");
        } else {
            out.println(failed == 0 ? "Live check passed (" + ok + " checks)." : "Live check FAILED (" + failed + " of " + (failed + ok) + ").");
        }
        return failed == 0 ? 0 : 1;
    }

    private static void report(PrintStream out, List<Outcome> outcomes, Outcome outcome) {
        outcomes.add(outcome);
        out.println(outcome.line());
        out.flush();
    }

    private record Spoken(Outcome outcome, byte[] audio) {
    }

    /** Speaks {@link #LINE} with the provider's default voice; the audio is kept for the STT check. */
    private static Spoken speak(String name, TextToSpeech tts) {
        var events = new LinkedBlockingQueue<TtsEvent>();
        var audio = new ByteArrayOutputStream();
        long started = System.nanoTime();
        long firstAudio = 0;
        var defaults = ProviderCatalog.defaultVoice(name);
        try (var session = tts.open(new TtsOptions(defaults.voice(), defaults.model()), events::add)) {
            session.speak(1, LINE);
            session.flush();
            while (true) {
                var event = next(events);
                switch (event) {
                    case null -> {
                        return new Spoken(failed(name, "tts", "no audio within " + WAIT_SECONDS + " s"), new byte[0]);
                    }
                    case TtsEvent.Audio a -> {
                        firstAudio = firstAudio == 0 ? System.nanoTime() : firstAudio;
                        audio.write(a.mulaw(), 0, a.mulaw().length);
                    }
                    case TtsEvent.SegmentDone done -> {
                        if (audio.size() == 0) {
                            return new Spoken(failed(name, "tts", "the segment ended without audio"), new byte[0]);
                        }
                        return new Spoken(new Outcome(name, "tts", Outcome.Status.OK, "first audio " + millis(started, firstAudio)
                                + " ms, " + audio.size() / 8 + " ms of speech"), audio.toByteArray());
                    }
                    case TtsEvent.Failed f -> {
                        return new Spoken(failed(name, "tts", f.error().toString()), new byte[0]);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Spoken(failed(name, "tts", "interrupted"), new byte[0]);
        }
    }

    /** Streams the audio as a phone line would (20 ms frames), then silence, and waits for the final words. */
    private static Outcome listen(String name, SpeechToText stt, byte[] audio) {
        var events = new LinkedBlockingQueue<SttEvent>();
        long started = System.nanoTime();
        try (var session = stt.open(SttOptions.defaults(), events::add)) {
            for (int at = 0; at < audio.length; at += 160) {
                session.sendAudio(Arrays.copyOfRange(audio, at, Math.min(audio.length, at + 160)));
            }
            var silence = new byte[160];
            Arrays.fill(silence, (byte) 0xFF);
            for (int i = 0; i < 75; i++) {
                session.sendAudio(silence);
            }
            session.finalizeTurn();
            var heard = new StringBuilder();
            while (true) {
                var event = next(events);
                switch (event) {
                    case null -> {
                        return heard.isEmpty() ? failed(name, "stt", "no words within " + WAIT_SECONDS + " s")
                                               : ok(name, "stt", heard, started);
                    }
                    case SttEvent.Final f when !f.text().isBlank() -> {
                        heard.append(heard.isEmpty() ? "" : " ").append(f.text().strip());
                        if (f.speechFinal() || f.fromFinalize()) {
                            return ok(name, "stt", heard, started);
                        }
                    }
                    case SttEvent.Failed f -> {
                        return failed(name, "stt", f.error().toString());
                    }
                    default -> {
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(name, "stt", "interrupted");
        }
    }

    private static Outcome ok(String name, String part, CharSequence heard, long started) {
        return new Outcome(name, part, Outcome.Status.OK, "heard \"" + heard + "\" in " + millis(started, System.nanoTime()) + " ms");
    }

    /** Asks the provider's default model to call a tool: the request shape a call sends, tools included. */
    private static Outcome ask(String name, ChatModel llm) {
        var events = new LinkedBlockingQueue<ChatEvent>();
        var model = ProviderCatalog.defaultModel(name);
        var request = new ChatRequest(model, Optional.empty(), Optional.of(200),
                "You are checking a phone line. Call the check_clock tool for UTC; do not answer in words.",
                List.of(new ChatMessage.User("What time is it in UTC?")), List.of(CLOCK));
        long started = System.nanoTime();
        long first = 0;
        String called = null;
        var stream = llm.stream(request, events::add);
        try {
            while (true) {
                var event = next(events);
                if (event != null && first == 0) {
                    first = System.nanoTime();
                }
                switch (event) {
                    case null -> {
                        stream.cancel();
                        return failed(name, "llm", model + ": no answer within " + WAIT_SECONDS + " s");
                    }
                    case ChatEvent.ToolCallReady ready -> called = ready.call().name();
                    case ChatEvent.Done done -> {
                        return new Outcome(name, "llm", Outcome.Status.OK, model + ": first event " + millis(started, first)
                                + " ms, " + (called != null ? "called " + called : "answered without the tool (" + done.finishReason() + ")"));
                    }
                    case ChatEvent.Failed f -> {
                        return failed(name, "llm", model + ": " + f.error());
                    }
                    case ChatEvent.TextDelta delta -> {
                    }
                }
            }
        } catch (InterruptedException e) {
            stream.cancel();
            Thread.currentThread().interrupt();
            return failed(name, "llm", "interrupted");
        }
    }

    private static Outcome twilio(Settings settings) {
        var twilio = new TwilioCalls(settings.twilio());
        if (!twilio.configured()) {
            return new Outcome("twilio", "rest", Outcome.Status.SKIPPED, "no TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN");
        }
        try {
            return new Outcome("twilio", "rest", Outcome.Status.OK, "account " + twilio.accountStatus());
        } catch (RuntimeException e) {
            return failed("twilio", "rest", e.getMessage());
        }
    }

    private static Outcome failed(String provider, String part, String detail) {
        return new Outcome(provider, part, Outcome.Status.FAILED, detail);
    }

    private static <T> T next(BlockingQueue<T> events) throws InterruptedException {
        return events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
