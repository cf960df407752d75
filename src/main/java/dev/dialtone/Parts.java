package dev.dialtone;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.helidon.config.Config;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import dev.dialtone.analysis.Analyses;
import dev.dialtone.analysis.CallAnalysis;
import dev.dialtone.audio.SileroVad;
import dev.dialtone.conversation.CallClock;
import dev.dialtone.conversation.CallLog;
import dev.dialtone.conversation.ProviderWrap;
import dev.dialtone.conversation.Providers;
import dev.dialtone.conversation.Switchboard;
import dev.dialtone.conversation.TurnMetrics;
import dev.dialtone.flow.FlowRegistry;
import dev.dialtone.flow.FlowWebhook;
import dev.dialtone.flowtest.FlowTests;
import dev.dialtone.flowtest.TestGate;
import dev.dialtone.plugin.PluginRuntime;
import dev.dialtone.replay.Replays;
import dev.dialtone.store.CallStore;
import dev.dialtone.store.StoreSettings;
import dev.dialtone.telephony.ActiveCalls;
import dev.dialtone.telephony.CallHandler;
import dev.dialtone.telephony.TelephonyMetrics;
import dev.dialtone.telephony.TwilioCalls;
import dev.dialtone.trace.CallTracer;
import dev.dialtone.web.FleetRelay;
import dev.dialtone.web.LiveFeed;
import dev.dialtone.webhook.Delivery;
import dev.dialtone.webhook.WebhookSettings;
import dev.dialtone.webhook.Webhooks;

/** The components of a running server, built once and shared by the routes. */
public record Parts(Settings settings, Secret adminToken, Clock clock, PrometheusMeterRegistry metrics,
                    ActiveCalls calls, TelephonyMetrics telephonyMetrics, TwilioCalls twilio, PluginRuntime plugins,
                    FlowRegistry flows, CallStore store, LiveFeed feed, Switchboard switchboard, CallHandler.Factory callFactory,
                    Drain drain, Replays replays, FleetRelay fleet, CallTracer tracer,
                    Analyses analyses, Delivery webhooks)
        implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Parts.class.getName());

    /** Everything, with calls answered by the flows' conversations. */
    public static Parts create(Settings settings, Clock clock) {
        return create(settings, clock, Main.providers(settings), null);
    }

    /** Everything, with calls answered by {@code callFactory} instead. */
    public static Parts create(Settings settings, Clock clock, CallHandler.Factory callFactory) {
        return create(settings, clock, Main.providers(settings), callFactory);
    }

    /**
     * Everything, with the given provider clients (tests point them at fakes) and calls
     * answered by {@code callFactory} (null: the switchboard, i.e. the flows' conversations).
     */
    public static Parts create(Settings settings, Clock clock, Providers providers, CallHandler.Factory callFactory) {
        return create(settings, clock, providers, callFactory, null, null);
    }

    /** As above, with calls traced by {@code tracing} (null: as the settings say). */
    public static Parts create(Settings settings, Clock clock, Providers providers, CallHandler.Factory callFactory,
                               CallTracer tracing) {
        return create(settings, clock, providers, callFactory, null, tracing);
    }

    /**
     * As above, for the server's start: returns before the flows are loaded; their first load
     * begins when {@code flowsAfter} completes (the server listens and its store is open).
     */
    static Parts create(Settings settings, Clock clock, Providers providers, CallHandler.Factory callFactory,
                        CompletionStage<?> flowsAfter) {
        return create(settings, clock, providers, callFactory, flowsAfter, null);
    }

    /** {@code flowsAfter} null: the flows are loaded before this returns. */
    private static Parts create(Settings settings, Clock clock, Providers providers, CallHandler.Factory callFactory,
                                CompletionStage<?> flowsAfter, CallTracer tracing) {
        var adminToken = Main.resolveAdminToken(settings);
        var metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // the server's store opens (and migrates its schema) on a thread of its own while the rest
        // is made and the server starts listening; it is ready for calls once the store is open
        var store = flowsAfter != null ? CallStore.openInBackground(storeSettings(settings), metrics, clock)
                                       : CallStore.open(storeSettings(settings), metrics, clock);
        // so does the VAD model (ONNX Runtime): the first call waits for it, and so does close(), since
        // a JVM that exits while ONNX Runtime is still making the session crashes (a SIGTERM right after start)
        var vadLoading = InBackground.start("vad-load", SileroVad::load);
        // the JVM's own gauges (heap, GC, CPU, threads) beside the calls', for operators and the benchmark
        new JvmMemoryMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        var calls = new ActiveCalls();
        var twilio = new TwilioCalls(settings.twilio());
        var plugins = new PluginRuntime(Main.pluginSettings(settings.plugin()), metrics);
        // flows with `tests: gate` pass their replayable tests before a new version goes live
        var gate = new TestGate(provider -> Optional.ofNullable(providers.llm().get(provider)), FlowTests.PATIENCE);
        var flows = new FlowRegistry(settings.flows(), settings.plugins(), plugins, Main.configuredProviders(settings),
                                     metrics, clock, gate);
        var firstLoad = flows.startInBackground(flowsAfter != null ? flowsAfter : CompletableFuture.completedFuture(null));
        if (flowsAfter == null) {
            firstLoad.join();
        }
        firstLoad.whenComplete((outcome, failure) -> {
            if (failure != null) {
                LOG.log(System.Logger.Level.ERROR, "Flows could not be loaded or watched", failure);
                return;
            }
            outcome.problems().forEach(p -> LOG.log(p.isError() ? System.Logger.Level.ERROR
                    : System.Logger.Level.WARNING, "Flows: {0}", p));
        });
        VersionLog.attach(flows, store, metrics);
        var replays = new Replays(flows, store, providers.llm(), plugins, settings.flows(), settings.plugins(),
                                  Main.configuredProviders(settings), metrics, FlowTests.PATIENCE);
        var feed = new LiveFeed(adminToken);
        var instance = instanceId(settings.fleet());
        var fleet = new FleetRelay(store.joinFleet(instance, settings.fleet().heartbeat(),
                                                   settings.fleet().missedHeartbeats(), () -> servedFlows(flows)), feed);
        flows.onReload(reloaded -> fleet.fleet().flowsChanged());
        var tracer = tracing != null ? tracing : tracer(settings.traces(), instance);
        // without tracing, no log and no wrapper: the calls run exactly as they would without the feature
        var limits = settings.analysis();
        var analyses = new Analyses(store, providers.llm(), flows, new CallAnalysis(clock, limits.timeout(), limits.maxTranscriptChars(),
                                    limits.maxTokens(), metrics), metrics, new Analyses.Limits(limits.concurrent(), limits.waiting()));
        var webhookSettings = webhookSettings(settings.webhooks(), settings.publicUrl(), System.getenv());
        var webhooks = new Webhooks(store, flows, webhookSettings, clock);
        analyses.onAnalyzed(webhooks::analyzed);
        var delivery = new Delivery(store, webhooks::secret, webhookSettings, metrics, clock);
        var log = CallLog.both(CallLog.both(CallLog.both(new StoreCallLog(store.recorder()), CallLog.both(feed, fleet)), analyses),
                               webhooks);
        var switchboard = new Switchboard(flows, providers, twilio, new TurnMetrics(metrics), CallClock.system(),
                                          tracer.enabled() ? CallLog.both(log, tracer) : log,
                                          tracer.enabled() ? tracer : ProviderWrap.NONE, vadLoading::join);
        fleet.listen(switchboard);
        switchboard.onRecordingStarted((call, recording) -> TwilioEvents.recordingStarted(store, call, recording));
        switchboard.limitEarlyAnswers(settings.twilio().maxEarlyAnswers());
        if (twilio.configured()) {
            store.deleteRecordingsWith(twilio::deleteRecording);
        }
        var drain = new Drain(calls, switchboard, flows, twilio);
        metrics.gauge("dialtone.draining", drain, d -> d.draining() ? 1 : 0);
        return new Parts(settings, adminToken, clock, metrics, calls, new TelephonyMetrics(metrics, calls), twilio, plugins, flows,
                         store, feed, switchboard, callFactory == null ? switchboard : callFactory, drain, replays, fleet, tracer, analyses, delivery);
    }

    @Override
    public void close() {
        switchboard.awaitDetector();
        flows.close();
        plugins.close();
        webhooks.close();
        store.close();
        tracer.close();
    }

    /** The call store: {@code DIALTONE_DB} (or config.yaml), else embedded H2 in the data folder. */
    static StoreSettings storeSettings(Settings settings) {
        var env = new LinkedHashMap<>(System.getenv());
        env.remove("DIALTONE_DB");
        var store = StoreSettings.fromEnvironment(env).withRetention(Duration.ofDays(settings.retentionDays()));
        return store.withUrl(settings.db().isEmpty() ? StoreSettings.embeddedUrl(settings.data()) : settings.db());
    }

    /** The configured instance id, else the host's name (a pod's name on Kubernetes) with a random suffix. */
    static String instanceId(Settings.FleetSettings fleet) {
        if (!fleet.instanceId().isEmpty()) {
            return fleet.instanceId();
        }
        var host = System.getenv().getOrDefault("HOSTNAME", "dialtone").replaceAll("[^A-Za-z0-9._-]", "");
        var suffix = Long.toHexString(new SecureRandom().nextLong() & 0xffffffL);
        return (host.isEmpty() ? "dialtone" : host.substring(0, Math.min(host.length(), 50))) + "-" + suffix;
    }

    /** OTLP/HTTP export when an endpoint is set, else none. */
    static CallTracer tracer(Settings.Traces traces, String instanceId) {
        if (traces.otlpEndpoint().isEmpty()) {
            return CallTracer.off();
        }
        LOG.log(System.Logger.Level.INFO, "Traces: OTLP/HTTP to {0} as service {1}", traces.otlpEndpoint(), traces.serviceName());
        return CallTracer.otlp(traces.otlpEndpoint(), traces.serviceName(), instanceId);
    }

    /** The version (hash) of every flow this instance serves now, for the fleet's comparison. */
    static Map<String, String> servedFlows(FlowRegistry flows) {
        var out = new LinkedHashMap<String, String>();
        flows.versions().forEach(v -> out.put(v.name(), v.hash()));
        return out;
    }

    /**
     * Webhook settings from config.yaml's {@code webhooks:} block; a global webhook's
     * {@code secret: ${NAME}} is read from {@code env} (unset: that webhook is left out, with a warning).
     */
    static WebhookSettings webhookSettings(Config c, Optional<URI> publicUrl, Map<String, String> env) {
        var global = new ArrayList<FlowWebhook>();
        for (var node : c.get("global").asNodeList().orElse(List.of())) {
            var url = node.get("url").asString().orElseThrow(() -> new IllegalArgumentException("webhooks.global: an entry has no url"));
            var events = node.get("events").asList(String.class).orElse(List.of());
            var secret = node.get("secret").asString().map(String::strip).filter(v -> !v.isEmpty());
            if (secret.isPresent() && secret.get().matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*}")) {
                var name = secret.get().substring(2, secret.get().length() - 1);
                secret = Optional.ofNullable(env.get(name)).filter(v -> !v.isEmpty());
                if (secret.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "webhook {0} is disabled: environment variable {1} is not set", url, name);
                    continue;
                }
            }
            global.add(new FlowWebhook(url, events, secret));
        }
        return new WebhookSettings(global, c.get("allowed-hosts").asList(String.class).orElse(List.of()),
                Duration.ofMillis(c.get("first-retry-ms").asLong().get()), Duration.ofMillis(c.get("max-retry-ms").asLong().get()),
                c.get("max-attempts").asInt().get(), Duration.ofMillis(c.get("poll-ms").asLong().get()),
                Duration.ofMillis(c.get("timeout-ms").asLong().get()), c.get("max-body-chars").asInt().get(),
                publicUrl.map(URI::toString));
    }
}
