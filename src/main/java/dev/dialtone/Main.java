package dev.dialtone;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;

import dev.dialtone.conversation.Providers;
import dev.dialtone.flow.FlowCheck;
import dev.dialtone.flowtest.FlowTests;
import dev.dialtone.llm.ChatModel;
import dev.dialtone.llm.anthropic.AnthropicChatModel;
import dev.dialtone.llm.openai.OpenAiChatModel;
import dev.dialtone.plugin.PluginLimits;
import dev.dialtone.plugin.PluginSettings;
import dev.dialtone.speech.FallbackTextToSpeech;
import dev.dialtone.speech.SpeechToText;
import dev.dialtone.speech.TextToSpeech;
import dev.dialtone.speech.deepgram.DeepgramRestTextToSpeech;
import dev.dialtone.speech.deepgram.DeepgramSpeechToText;
import dev.dialtone.speech.deepgram.DeepgramTextToSpeech;
import dev.dialtone.speech.deepgram.FlushBudget;
import dev.dialtone.speech.elevenlabs.ElevenLabsHttpTextToSpeech;
import dev.dialtone.speech.elevenlabs.ElevenLabsTextToSpeech;
import dev.dialtone.telephony.MediaStreamEndpoint;
import dev.dialtone.telephony.ConferenceTransfer;
import dev.dialtone.telephony.PublicAddress;
import dev.dialtone.telephony.StreamAdmission;
import dev.dialtone.telephony.StreamCredentials;
import dev.dialtone.telephony.StreamLimits;
import dev.dialtone.telephony.TwilioSignature;
import dev.dialtone.telephony.TwilioWebhooks;
import dev.dialtone.web.AdminApi;
import dev.dialtone.web.VersionApi;
import dev.dialtone.web.SecurityHeaders;
import dev.dialtone.web.Softphone;
import dev.dialtone.web.TokenFile;
import io.helidon.webserver.staticcontent.StaticContentService;
import dev.dialtone.web.Observability;

/**
 * Entry point: reads the settings, builds the server's components ({@link Parts}, by hand) and starts
 * Helidon with the routes ({@link #setUp}). Also runs
 * the other subcommands of {@code bin/dialtone}.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(20);

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        var command = args.length > 0 ? args[0] : "serve";
        var rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        int exit = switch (command) {
            case "serve" -> serve(Settings.load());
            case "validate" -> validate(Settings.load(), rest);
            case "chat" -> Chat.run(Settings.load(), rest);
            case "test-flows" -> TestFlows.run(Settings.load(), rest, System.out);
            case "live-check" -> LiveCheck.run(Settings.load(), System.out);
            case "replay" -> ReplayCommand.run(Settings.load(), rest, System.out);
            case "aot-training" -> AotTraining.run(System.getenv());
            case "help", "--help", "-h" -> usage(0);
            default -> {
                System.err.println("dialtone: unknown command '" + command + "'");
                yield usage(2);
            }
        };
        if (exit != 0 || !command.equals("serve")) {
            System.exit(exit);
        }
    }

    private static int usage(int exit) {
        System.err.println("""
                usage: bin/dialtone [command]
                  serve              start the server (default)
                  validate [dir]     check flows, plugins and flow tests offline; non-zero exit on any error
                  chat FLOW          talk to a flow in the terminal by typing
                  test-flows [--record] [--junit FILE] [flow...]
                                     run the flows' test files (flows/<flow>.test.yaml) from their
                                     recorded LLM answers; --record records them with the real LLM
                  replay CALL_SID [--flow NAME] [--draft | --version HASH]
                                     replay a stored call's caller turns on the live flow (or its
                                     draft, or a stored version) through the running server, side by side
                  test               run the whole test suite (handled by bin/dialtone)
                  test --live        check the real providers whose keys are set (a short call's worth)
                """);
        return exit;
    }

    private static int validate(Settings settings, String[] args) {
        var flows = args.length > 0 ? Path.of(args[0]) : settings.flows();
        var plugins = args.length > 1 ? Path.of(args[1])
                : args.length > 0 ? flows.resolveSibling("plugins") : settings.plugins();
        return FlowCheck.run(flows, plugins, configuredProviders(settings), Clock.systemUTC(), System.out, FlowTests.check());
    }

    /** Starts the server and leaves it running. */
    static int serve(Settings settings) {
        logStartup(settings);
        // the flows (GraalJS evaluating every plugin: a core for a second or two) load once the server
        // listens and its store is open, so that they do not compete with its start on a small
        // machine; a call that arrives first waits for them in its flow lookup
        var started = new CompletableFuture<Void>(); // listening, with the store open
        var parts = Parts.create(settings, Clock.systemUTC(), providers(settings), null, started);
        // no shutdown hook of Helidon's: on SIGTERM the server keeps serving until the drain is over
        var builder = WebServer.builder().port(settings.port()).shutdownHook(false);
        setUp(builder, parts);
        var server = builder.build().start();
        if (!server.isRunning() || server.port() < 0) { // Helidon logs why (e.g. the port is taken) and returns
            LOG.log(System.Logger.Level.ERROR, "Dialtone could not listen on port {0}; stopping", String.valueOf(settings.port()));
            parts.close();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            parts.close();
        }));
        // before anything can see the server ready: a SIGTERM then drains (the JVM's default would exit 143)
        StopSignals.install(parts.drain(), settings.drain());
        try {
            parts.store().opened().join();
        } catch (CompletionException e) {
            LOG.log(System.Logger.Level.ERROR, "Dialtone cannot start: {0}", e.getCause().getMessage());
            return 1; // the shutdown hook stops the server
        }
        started.complete(null); // ready: the flows load now, the start's work done
        // the heap target only now: under it, ZGC's warm-up rule runs three collections during the
        // start (at a tenth, a fifth and three tenths of the target), on the cores the start needs
        HeapTarget.apply(settings.softHeapMb());
        IdleMemory.watch(parts.calls()::size);
        LOG.log(System.Logger.Level.INFO, "Dialtone listening on port {0}", String.valueOf(server.port()));
        System.out.println(consoleAddress(settings, parts.adminToken(), server.port()));
        return 0;
    }

    /**
     * Where to open the console, printed once at start on standard output (as Jupyter does), not
     * through the logger, so no log handler or file the logging configuration adds ever gets the
     * token. The address carries the token only when the server made it: an operator who set
     * DIALTONE_ADMIN_TOKEN knows it, and it is never printed.
     */
    static String consoleAddress(Settings settings, Secret token, int port) {
        var base = "http://localhost:" + port + "/";
        if (settings.adminToken().isSet()) {
            return "Console: " + base + " (admin token: DIALTONE_ADMIN_TOKEN)";
        }
        return "Console: " + base + "?token=" + token.value() + "\n  (the admin token is kept in "
               + TokenFile.in(settings.data()) + "; set DIALTONE_ADMIN_TOKEN to choose your own)";
    }

    /** DIALTONE_ADMIN_TOKEN, else the token in the data folder's token file (made at the first start). */
    static Secret resolveAdminToken(Settings settings) {
        return settings.adminToken().isSet() ? settings.adminToken() : TokenFile.loadOrCreate(settings.data());
    }

    /** Registers every route on a server builder; tests use it with their own parts. */
    public static void setUp(WebServerConfig.Builder server, Parts parts) {
        var settings = parts.settings();
        var twilio = settings.twilio();
        var signature = new TwilioSignature(twilio.authToken());
        var address = new PublicAddress(settings.publicUrl());
        var credentials = StreamCredentials.create(twilio.streamSecret(), parts.clock());
        var webhooks = new TwilioWebhooks(signature, address, credentials,
                (to, from) -> parts.flows().routeCall(to, from),
                new TwilioEvents(parts.switchboard(), parts.store(), parts.metrics()));
        var transfers = new ConferenceTransfer(parts.twilio(), credentials, signature, address,
                                               parts.switchboard().warmTransfers(), parts.metrics());
        parts.switchboard().warmTransfers().via(transfers);
        var limits = new StreamLimits(twilio.maxMessagesPerSecond(), twilio.messageBurst(), twilio.idleTimeout());
        var stream = new MediaStreamEndpoint(StreamAdmission.twilio(signature, address, credentials), parts.callFactory(),
                                             parts.calls(), parts.telephonyMetrics(), twilio.maxFrameBytes(), limits,
                                             parts.clock());
        server.addProtocol(WsConfig.builder().name("websocket").maxFrameLength(twilio.maxFrameBytes()).build());
        // the softphone is an operator's browser behind the admin token: same limits, but no idle check
        var softphone = new MediaStreamEndpoint(new Softphone(parts.adminToken()), parts.callFactory(), parts.calls(),
                                                parts.telephonyMetrics(), twilio.maxFrameBytes(),
                                                limits.withoutIdleTimeout(), parts.clock());
        var metricsToken = settings.metricsAuth() ? Optional.of(parts.adminToken()) : Optional.<Secret>empty();
        server.routing(routing -> routing
                .addFilter(new SecurityHeaders())
                .register(ConferenceTransfer.PATH, transfers)
                .register("/twilio", webhooks)
                .register("/observe", new Observability(parts.metrics(), metricsToken,
                                                           () -> parts.store().isOpen() && !parts.drain().draining()))
                .get("/api/events", parts.feed()::serve)
                .register("/api", new AdminApi(parts.adminToken(), parts.flows(), parts.switchboard(), parts.store(),
                                               parts.twilio(), settings.publicUrl(), parts.fleet(), parts.analyses()))
                .register("/api", new VersionApi(parts.adminToken(), parts.flows(), parts.store(), parts.replays()))
                .register("/", StaticContentService.builder("web").welcomeFileName("index.html").build())
                .any(SecurityHeaders::notFound));
        server.addRouting(WsRouting.builder().endpoint(TwilioWebhooks.STREAM_PATH, stream)
                                   .endpoint(Softphone.PATH, softphone));
    }

    private static void logStartup(Settings settings) {
        for (var provider : settings.providers()) {
            LOG.log(System.Logger.Level.INFO, "Provider {0}: {1} ({2})", provider.name(),
                    provider.configured() ? "configured" : "no API key", provider.url());
        }
        if (!settings.twilio().authToken().isSet()) {
            LOG.log(System.Logger.Level.WARNING, """

                    ************************************************************************
                    * TWILIO_AUTH_TOKEN is not set: Twilio signatures are NOT checked.     *
                    * Anyone who can reach this server can place calls into it. Set it     *
                    * before exposing the server to the internet.                          *
                    ************************************************************************""");
        }
        if (settings.adminToken().isSet() && settings.adminToken().value().length() < 16) {
            LOG.log(System.Logger.Level.WARNING, "DIALTONE_ADMIN_TOKEN is short ({0} characters): use 32 or more random ones",
                    settings.adminToken().value().length());
        }
        if (!settings.twilio().streamSecret().isSet()) {
            LOG.log(System.Logger.Level.INFO, "DIALTONE_STREAM_SECRET is not set: stream credentials use a random key of "
                    + "this process (right for one server; servers behind one webhook URL must share a secret)");
        }
        LOG.log(System.Logger.Level.INFO, "Public URL: {0}",
                settings.publicUrl().map(Object::toString).orElse("(derived from Host / X-Forwarded-Host)"));
    }

    /** Provider names whose API key is set. */
    static Set<String> configuredProviders(Settings settings) {
        return settings.providers().stream().filter(Settings.Provider::configured).map(Settings.Provider::name)
                       .collect(Collectors.toUnmodifiableSet());
    }

    /** The provider clients for every provider with a key. */
    static Providers providers(Settings s) {
        var stt = new LinkedHashMap<String, SpeechToText>();
        var llm = new LinkedHashMap<String, ChatModel>();
        var tts = new LinkedHashMap<String, TextToSpeech>();
        if (s.deepgram().configured()) {
            var key = s.deepgram().apiKey().value();
            stt.put("deepgram", new DeepgramSpeechToText(s.deepgram().url(), key, DeepgramSpeechToText.Timing.defaults()));
            tts.put("deepgram", FlushBudget.deepgram(new FallbackTextToSpeech(
                    new DeepgramTextToSpeech(s.deepgram().url(), key, CONNECT_TIMEOUT),
                    new DeepgramRestTextToSpeech(s.deepgram().url(), key, CONNECT_TIMEOUT, IDLE_TIMEOUT))));
        }
        if (s.openai().configured()) {
            llm.put("openai", new OpenAiChatModel(s.openai().url(), s.openai().apiKey().value(), CONNECT_TIMEOUT, IDLE_TIMEOUT));
        }
        if (s.anthropic().configured()) {
            llm.put("anthropic", new AnthropicChatModel(s.anthropic().url(), s.anthropic().apiKey().value(),
                                                        CONNECT_TIMEOUT, IDLE_TIMEOUT));
        }
        if (s.elevenlabs().configured()) {
            var key = s.elevenlabs().apiKey().value();
            tts.put("elevenlabs", new FallbackTextToSpeech(
                    new ElevenLabsTextToSpeech(s.elevenlabs().url(), key, CONNECT_TIMEOUT, IDLE_TIMEOUT),
                    new ElevenLabsHttpTextToSpeech(s.elevenlabs().url(), key, CONNECT_TIMEOUT, IDLE_TIMEOUT)));
        }
        return new Providers(stt, llm, tts);
    }

    /** Plugin settings from config.yaml's {@code plugins:} block. */
    static PluginSettings pluginSettings(Config plugins) {
        var hosts = plugins.get("allowed-hosts").asList(String.class).orElse(List.of());
        var config = new LinkedHashMap<String, Map<String, Object>>();
        plugins.get("config").asNodeList().orElse(List.of()).forEach(node -> {
            var values = new LinkedHashMap<String, Object>();
            node.asMap().orElse(Map.of()).forEach((key, value) -> values.put(key.substring(node.key().toString().length() + 1), value));
            config.put(node.name(), values);
        });
        return new PluginSettings(hosts, config, PluginLimits.defaults());
    }
}
