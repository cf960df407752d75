package dev.dialtone.web;

import java.util.Optional;
import java.util.function.BooleanSupplier;

import io.helidon.http.HttpMediaTypes;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;

import dev.dialtone.Secret;

/**
 * {@code /observe/health} and {@code /observe/health/live} (liveness: the server answers) and
 * {@code /observe/health/ready} (readiness: 200 while the server takes new calls, 503 from the
 * moment it drains for a stop), always open, for load balancers and orchestrators; and
 * {@code /observe/metrics} (every Micrometer meter in the Prometheus text format; open, or with
 * {@code DIALTONE_METRICS_AUTH=true} only for the admin token as a bearer header, which is how
 * Prometheus sends its {@code authorization} credentials).
 */
public final class Observability implements HttpService {
    private final PrometheusMeterRegistry metrics;
    private final Optional<AdminToken> metricsToken;
    private final BooleanSupplier ready;

    /**
     * {@code metricsToken}: the token the metrics need, or empty to serve them to anyone;
     * {@code ready}: whether the server takes new calls.
     */
    public Observability(PrometheusMeterRegistry metrics, Optional<Secret> metricsToken, BooleanSupplier ready) {
        this.metrics = metrics;
        this.metricsToken = metricsToken.map(AdminToken::new);
        this.ready = ready;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", Observability::live)
             .get("/health/live", Observability::live)
             .get("/health/ready", this::ready)
             .get("/metrics", this::metrics);
    }

    private static void live(ServerRequest req, ServerResponse res) {
        res.headers().contentType(HttpMediaTypes.JSON_UTF_8);
        res.send("{\"status\":\"UP\"}");
    }

    private void ready(ServerRequest req, ServerResponse res) {
        res.headers().contentType(HttpMediaTypes.JSON_UTF_8);
        if (ready.getAsBoolean()) {
            res.send("{\"status\":\"UP\"}");
        } else {
            res.status(Status.SERVICE_UNAVAILABLE_503).send("{\"status\":\"DRAINING\"}");
        }
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        if (metricsToken.isPresent() && !metricsToken.get().inHeader(req.headers())) {
            AdminToken.refuse(res, "the metrics need the admin token as a bearer token (DIALTONE_METRICS_AUTH is on)");
            return;
        }
        res.headers().set(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.scrape());
    }
}
