package dev.dialtone.web;

import io.helidon.http.HttpMediaTypes;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.helidon.http.HeaderNames;

/**
 * {@code /observe/health} (liveness: the server answers) and {@code /observe/metrics} (every
 * Micrometer meter in the Prometheus text format).
 */
public final class Observability implements HttpService {
    private final PrometheusMeterRegistry metrics;

    public Observability(PrometheusMeterRegistry metrics) {
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", (req, res) -> {
                 res.headers().contentType(HttpMediaTypes.JSON_UTF_8);
                 res.send("{\"status\":\"UP\"}");
             })
             .get("/metrics", (req, res) -> {
                 res.headers().set(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                 res.send(metrics.scrape());
             });
    }
}
