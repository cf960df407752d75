package dev.dialtone;

import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;

import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import dev.dialtone.telephony.ActiveCalls;
import dev.dialtone.telephony.CallHandler;
import dev.dialtone.telephony.MediaStreamEndpoint;
import dev.dialtone.telephony.PublicAddress;
import dev.dialtone.telephony.SilentCall;
import dev.dialtone.telephony.TelephonyMetrics;
import dev.dialtone.telephony.TwilioCalls;
import dev.dialtone.telephony.TwilioSignature;
import dev.dialtone.telephony.TwilioWebhooks;
import dev.dialtone.web.Observability;

/**
 * Entry point: reads the settings, builds every component by hand, and starts Helidon. Also runs
 * the other subcommands of {@code bin/dialtone}.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        var command = args.length > 0 ? args[0] : "serve";
        var rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        int exit = switch (command) {
            case "serve" -> serve(Settings.load());
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
                  test               run the whole test suite (handled by bin/dialtone)
                """);
        return exit;
    }

    /** Starts the server and leaves it running. */
    static int serve(Settings settings) {
        var parts = Parts.create(settings, Clock.systemUTC());
        logStartup(settings);
        var builder = WebServer.builder().port(settings.port());
        setUp(builder, parts);
        var server = builder.build().start();
        LOG.log(System.Logger.Level.INFO, "Dialtone listening on port {0}", String.valueOf(server.port()));
        return 0;
    }

    /** Registers every route on a server builder; tests use it with their own parts. */
    public static void setUp(WebServerConfig.Builder server, Parts parts) {
        var settings = parts.settings();
        var signature = new TwilioSignature(settings.twilio().authToken());
        var address = new PublicAddress(settings.publicUrl());
        var webhooks = new TwilioWebhooks(signature, address, number -> Optional.empty(), status ->
                LOG.log(System.Logger.Level.DEBUG, "Twilio status: {0}", status));
        var stream = new MediaStreamEndpoint(signature, address, parts.callFactory(), parts.calls(),
                                             parts.telephonyMetrics(), settings.twilio().maxFrameBytes(),
                                             parts.clock());
        server.addProtocol(WsConfig.builder().name("websocket")
                                   .maxFrameLength(settings.twilio().maxFrameBytes()).build());
        server.routing(routing -> routing
                .register("/twilio", webhooks)
                .register("/observe", new Observability(parts.metrics())));
        server.addRouting(WsRouting.builder().endpoint(TwilioWebhooks.STREAM_PATH, stream));
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
        LOG.log(System.Logger.Level.INFO, "Public URL: {0}",
                settings.publicUrl().map(Object::toString).orElse("(derived from Host / X-Forwarded-Host)"));
    }

    /** The components of a running server, built once and shared by the routes. */
    public record Parts(Settings settings, Clock clock, PrometheusMeterRegistry metrics, ActiveCalls calls,
                        TelephonyMetrics telephonyMetrics, TwilioCalls twilio, CallHandler.Factory callFactory) {

        public static Parts create(Settings settings, Clock clock) {
            return create(settings, clock, (start, out) -> new SilentCall(start));
        }

        public static Parts create(Settings settings, Clock clock, CallHandler.Factory callFactory) {
            var metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            var calls = new ActiveCalls();
            return new Parts(settings, clock, metrics, calls, new TelephonyMetrics(metrics, calls),
                             new TwilioCalls(settings.twilio()), callFactory);
        }
    }
}
