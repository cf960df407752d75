package dev.dialtone;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Files;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Every setting the server reads, from config.yaml with the environment variables of DESIGN.md
 * on top. Secrets are held as {@link Secret}s so that printing a setting never leaks one.
 */
public record Settings(int port,
                       Optional<URI> publicUrl,
                       Twilio twilio,
                       Provider deepgram,
                       Provider openai,
                       Provider anthropic,
                       Provider elevenlabs,
                       Path flows,
                       Path plugins,
                       Path data,
                       String db,
                       Secret adminToken,
                       boolean metricsAuth,
                       int retentionDays,
                       DrainTimes drain,
                       Config plugin,
                       FleetSettings fleet,
                       Traces traces,
                       Config webhooks,
                       Analysis analysis) {

    /** The repository's config.yaml, packaged: every setting's default is written there and nowhere else. */
    static final String DEFAULTS = "dev/dialtone/config.yaml";

    /** Environment variable -> config key. The environment wins. */
    static final Map<String, String> ENVIRONMENT = envMapping();

    /**
     * Twilio account, auth and API settings, and what a Media Stream may do: the key of the
     * per-call stream credentials (empty: random per process) and the limits of one stream.
     */
    public record Twilio(String accountSid, Secret authToken, URI apiUrl, int maxFrameBytes, Secret streamSecret,
                         int maxMessagesPerSecond, int messageBurst, Duration idleTimeout, int maxEarlyAnswers) {
        /** The account settings with the stream defaults. */
        public Twilio(String accountSid, Secret authToken, URI apiUrl, int maxFrameBytes) {
            this(accountSid, authToken, apiUrl, maxFrameBytes, new Secret(""), 100, 500, Duration.ofSeconds(5), 500);
        }
    }

    /**
     * Post-call analysis: how many run at once and wait, how long one may take, the longest
     * transcript sent, and the answer's token limit when the flow sets none.
     */
    public record Analysis(int concurrent, int waiting, Duration timeout, int maxTranscriptChars, int maxTokens) {
    }

    /**
     * This instance in a fleet sharing one database: its name (empty: the host's name with a
     * random suffix), how often it sends a heartbeat, and how many heartbeats an instance may miss
     * before the others take it for gone and mark its calls failed.
     */
    public record FleetSettings(String instanceId, Duration heartbeat, int missedHeartbeats) {
    }

    /** Where traces go: an OTLP/HTTP collector's base URL (empty: no traces), and this service's name in them. */
    public record Traces(String otlpEndpoint, String serviceName) {
    }

    /**
     * The graceful stop on SIGTERM: how long calls in progress may go on ({@code deadline}; empty:
     * the longest {@code max_call_s} of the loaded flows), then how long the stragglers' goodbyes may
     * take before the process exits anyway.
     */
    public record DrainTimes(Optional<Duration> deadline, Duration goodbye) {
    }

    /** One provider's API key and base URL. */
    public record Provider(String name, Secret apiKey, URI url) {
        public boolean configured() {
            return apiKey.isSet();
        }
    }

    /** Loads config.yaml (or the file in DIALTONE_CONFIG) with the process environment on top. */
    public static Settings load() {
        var file = Path.of(System.getenv().getOrDefault("DIALTONE_CONFIG", "config.yaml"));
        return load(file, System.getenv());
    }

    /** Loads the given YAML file (it may be absent: defaults apply) with the given environment. */
    public static Settings load(Path file, Map<String, String> env) {
        var overrides = new LinkedHashMap<String, String>();
        ENVIRONMENT.forEach((variable, key) -> {
            var value = env.get(variable);
            if (value != null && !value.isBlank()) {
                overrides.put(key, value.trim());
            }
        });
        var builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(overrides));
        if (Files.isRegularFile(file)) {
            builder.addSource(ConfigSources.file(file));
        }
        builder.addSource(ConfigSources.classpath(DEFAULTS)); // the defaults, under everything else
        return from(builder.build());
    }

    static Settings from(Config c) {
        return new Settings(
                c.get("server.port").asInt().get(),
                text(c, "server.public-url").map(Settings::withoutTrailingSlash).map(URI::create),
                new Twilio(text(c, "twilio.account-sid").orElse(""),
                           secret(c, "twilio.auth-token"),
                           uri(c, "twilio.api-url"),
                           c.get("twilio.max-frame-bytes").asInt().get(),
                           secret(c, "twilio.stream-secret"),
                           c.get("twilio.max-messages-per-second").asInt().get(),
                           c.get("twilio.message-burst").asInt().get(),
                           Duration.ofMillis(c.get("twilio.idle-timeout-ms").asLong().get()),
                           c.get("twilio.max-early-answers").asInt().get()),
                provider(c, "deepgram", "url"),
                provider(c, "openai", "base-url"),
                provider(c, "anthropic", "base-url"),
                provider(c, "elevenlabs", "url"),
                Path.of(text(c, "dialtone.flows").orElseThrow()),
                Path.of(text(c, "dialtone.plugins").orElseThrow()),
                Path.of(text(c, "dialtone.data").orElseThrow()),
                text(c, "dialtone.db").orElse(""),
                secret(c, "dialtone.admin-token"),
                flag(c, "dialtone.metrics-auth"),
                c.get("dialtone.retention-days").asInt().get(),
                new DrainTimes(text(c, "dialtone.drain-s").map(Long::parseLong).map(Duration::ofSeconds),
                               Duration.ofSeconds(c.get("dialtone.drain-goodbye-s").asLong().get())),
                c.get("plugins"),
                new FleetSettings(text(c, "fleet.instance-id").orElse(""),
                          Duration.ofMillis(c.get("fleet.heartbeat-ms").asLong().get()),
                          c.get("fleet.missed-heartbeats").asInt().get()),
                new Traces(text(c, "traces.otlp-endpoint").orElse(""), text(c, "traces.service-name").orElseThrow()),
                c.get("webhooks"),
                new Analysis(c.get("analysis.concurrent").asInt().get(), c.get("analysis.waiting").asInt().get(),
                             Duration.ofMillis(c.get("analysis.timeout-ms").asLong().get()),
                             c.get("analysis.max-transcript-chars").asInt().get(), c.get("analysis.max-tokens").asInt().get()));
    }

    /** The providers, for start-up logging and flow validation. */
    public List<Provider> providers() {
        return List.of(deepgram, openai, anthropic, elevenlabs);
    }

    private static Provider provider(Config c, String name, String urlKey) {
        return new Provider(name, secret(c, name + ".api-key"), uri(c, name + "." + urlKey));
    }

    private static Optional<String> text(Config c, String key) {
        return c.get(key).asString().map(String::trim).filter(s -> !s.isEmpty());
    }

    /** true or false; anything else is refused rather than read as false (a typo must not open a door). */
    private static boolean flag(Config c, String key) {
        var value = text(c, key).orElse("false");
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    private static Secret secret(Config c, String key) {
        return new Secret(text(c, key).orElse(""));
    }

    private static URI uri(Config c, String key) {
        return URI.create(withoutTrailingSlash(text(c, key).orElseThrow()));
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static Map<String, String> envMapping() {
        var m = new LinkedHashMap<String, String>();
        m.put("PORT", "server.port");
        m.put("PUBLIC_URL", "server.public-url");
        m.put("TWILIO_ACCOUNT_SID", "twilio.account-sid");
        m.put("TWILIO_AUTH_TOKEN", "twilio.auth-token");
        m.put("TWILIO_API_URL", "twilio.api-url");
        m.put("DIALTONE_STREAM_SECRET", "twilio.stream-secret");
        m.put("DIALTONE_STREAM_IDLE_MS", "twilio.idle-timeout-ms");
        m.put("DEEPGRAM_API_KEY", "deepgram.api-key");
        m.put("DEEPGRAM_URL", "deepgram.url");
        m.put("OPENAI_API_KEY", "openai.api-key");
        m.put("OPENAI_BASE_URL", "openai.base-url");
        m.put("ANTHROPIC_API_KEY", "anthropic.api-key");
        m.put("ANTHROPIC_BASE_URL", "anthropic.base-url");
        m.put("ELEVENLABS_API_KEY", "elevenlabs.api-key");
        m.put("ELEVENLABS_URL", "elevenlabs.url");
        m.put("DIALTONE_FLOWS", "dialtone.flows");
        m.put("DIALTONE_PLUGINS", "dialtone.plugins");
        m.put("DIALTONE_DATA", "dialtone.data");
        m.put("DIALTONE_DB", "dialtone.db");
        m.put("DIALTONE_ADMIN_TOKEN", "dialtone.admin-token");
        m.put("DIALTONE_METRICS_AUTH", "dialtone.metrics-auth");
        m.put("DIALTONE_RETENTION_DAYS", "dialtone.retention-days");
        m.put("DIALTONE_INSTANCE_ID", "fleet.instance-id");
        m.put("DIALTONE_HEARTBEAT_MS", "fleet.heartbeat-ms");
        m.put("OTEL_EXPORTER_OTLP_ENDPOINT", "traces.otlp-endpoint");
        m.put("OTEL_SERVICE_NAME", "traces.service-name");
        m.put("DIALTONE_DRAIN_S", "dialtone.drain-s");
        m.put("DIALTONE_DRAIN_GOODBYE_S", "dialtone.drain-goodbye-s");
        return Map.copyOf(m);
    }
}
