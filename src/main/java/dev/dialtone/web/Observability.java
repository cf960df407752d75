package dev.dialtone.web;

import java.util.Optional;

import io.helidon.http.HttpMediaTypes;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.helidon.http.HeaderNames;

import dev.dialtone.Secret;

/**
 * {@code /observe/health} (liveness: the server answers; always open, for load balancers and
 * orchestrators) and {@code /observe/metrics} (every Micrometer meter in the Prometheus text
 * format; open, or with {@code DIALTONE_METRICS_AUTH=true} only for the admin token as a bearer
 * header, which is how Prometheus sends its {@code authorization} credentials).
 */
public final class Observability implements HttpService {
    private final PrometheusMeterRegistry metrics;
    private final Optional<AdminToken> metricsToken;

    /** {@code metricsToken}: the token the metrics need, or empty to serve them to anyone. */
    public Observability(PrometheusMeterRegistry metrics, Optional<Secret> metricsToken) {
        this.metrics = metrics;
        this.metricsToken = metricsToken.map(AdminToken::new);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", (req, res) -> {
                 res.headers().contentType(HttpMediaTypes.JSON_UTF_8);
                 res.send("{\"status\":\"UP\"}");
             })
             .get("/metrics", this::metrics);
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
