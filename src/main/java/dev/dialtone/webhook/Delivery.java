package dev.dialtone.webhook;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

import dev.dialtone.store.CallStore;
import dev.dialtone.store.StoreException;
import dev.dialtone.store.WebhookDelivery;

/**
 * The delivery thread: every {@code poll} it claims the due rows of the store's queue and POSTs
 * each, signed at send time with the secret its reference names. A 2xx is delivered; anything else
 * is retried with backoff until {@code maxAttempts}, then dead. A URL refused by the SSRF rule is
 * dead at once. Any process on the same database picks up rows left by another.
 */
public final class Delivery implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Delivery.class.getName());
    private static final MediaType JSON = MediaType.get("application/json");
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final int BATCH = 20;

    private final CallStore store;
    private final Secrets secrets;
    private final WebhookSettings settings;
    private final Clock clock;
    private final Targets targets;
    private OkHttpClient http; // guarded by this; made at the first send (TLS set-up is a third of a second of start-up)
    private final Counter delivered;
    private final Counter failed;
    private final Counter dead;
    private final Counter refused;
    private final Thread thread;
    private volatile boolean running = true;

    /** Where a queued row's signing secret is found at send time ({@link Webhooks#secret}); empty: sent unsigned. */
    public interface Secrets {
        Optional<String> secret(String ref, String url);
    }

    public Delivery(CallStore store, Secrets secrets, WebhookSettings settings, MeterRegistry registry, Clock clock) {
        this.store = store;
        this.secrets = secrets;
        this.settings = settings;
        this.clock = clock;
        this.targets = new Targets(settings.allowedHosts());
        this.delivered = Counter.builder("dialtone.webhooks.delivered").register(registry);
        this.failed = Counter.builder("dialtone.webhooks.failed").description("Failed delivery attempts").register(registry);
        this.dead = Counter.builder("dialtone.webhooks.dead").description("Deliveries dead-lettered after the last try").register(registry);
        this.refused = Counter.builder("dialtone.webhooks.refused").description("Deliveries refused by the private-address rule").register(registry);
        this.thread = Thread.ofVirtual().name("webhook-delivery").start(this::loop);
    }

    private synchronized OkHttpClient http() {
        if (http == null) {
            long timeout = settings.timeout().toMillis();
            http = new OkHttpClient.Builder().followRedirects(false).followSslRedirects(false).dns(targets::lookup)
                    .connectTimeout(timeout, TimeUnit.MILLISECONDS).readTimeout(timeout, TimeUnit.MILLISECONDS)
                    .callTimeout(timeout * 2, TimeUnit.MILLISECONDS).build();
        }
        return http;
    }

    private void loop() {
        while (running) {
            try {
                for (var d : store.webhooks().claimDue(clock.instant(), LEASE, BATCH)) {
                    send(d);
                }
            } catch (StoreException e) {
                LOG.log(System.Logger.Level.WARNING, "webhook queue: {0}", e.getMessage());
            }
            try {
                Thread.sleep(settings.poll());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void send(WebhookDelivery d) {
        var refusal = targets.refusal(d.url());
        if (refusal != null) {
            refused.increment();
            dead.increment();
            store.webhooks().attempted(d.id(), WebhookDelivery.DEAD, Optional.empty(), Optional.of("refused: " + refusal));
            return;
        }
        var request = new Request.Builder().url(d.url()).post(RequestBody.create(d.body(), JSON))
                .header("User-Agent", "Dialtone-Webhooks").header("Dialtone-Event", d.event());
        d.secretRef().flatMap(ref -> secrets.secret(ref, d.url()))
                .ifPresent(secret -> request.header(Signature.HEADER, Signature.header(secret, clock.instant().getEpochSecond(), d.body())));
        String error;
        try (var response = http().newCall(request.build()).execute()) {
            if (response.isSuccessful()) {
                delivered.increment();
                store.webhooks().attempted(d.id(), WebhookDelivery.DELIVERED, Optional.empty(), Optional.empty());
                return;
            }
            error = "HTTP " + response.code();
        } catch (IOException | IllegalArgumentException e) {
            error = e.getClass().getSimpleName();
        }
        failed.increment();
        int attempts = d.attempts() + 1;
        if (attempts >= settings.maxAttempts()) {
            dead.increment();
            store.webhooks().attempted(d.id(), WebhookDelivery.DEAD, Optional.empty(), Optional.of(error));
        } else {
            store.webhooks().attempted(d.id(), WebhookDelivery.PENDING, Optional.of(clock.instant().plus(settings.backoff(attempts))),
                    Optional.of(error));
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (http != null) {
                http.dispatcher().executorService().shutdown();
                http.connectionPool().evictAll();
            }
        }
    }
}
