package io.durableruns.http;

import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Liveness, readiness and metrics: open to everyone, no run data. */
final class OpsRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(OpsRoutes.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final BooleanSupplier readiness;
    private final PrometheusMeterRegistry registry;

    OpsRoutes(BooleanSupplier readiness, PrometheusMeterRegistry registry) {
        this.readiness = readiness;
        this.registry = registry;
    }

    /** {@code GET /healthz}: 200 while the process serves requests. */
    void health(Context ctx) {
        Responses.json(ctx, 200, JsonViews.object().put("status", "ok"));
    }

    /** {@code GET /readyz}: 200 when the readiness check passes, 503 otherwise. */
    void ready(Context ctx) {
        boolean ready;
        try {
            ready = readiness.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("The readiness check failed", e);
            ready = false;
        }
        Responses.json(ctx, ready ? 200 : 503, JsonViews.object().put("status", ready ? "ready" : "not_ready"));
    }

    /** {@code GET /metrics}: the Prometheus text format. */
    void metrics(Context ctx) {
        ctx.status(200).contentType(PROMETHEUS_TEXT).result(registry.scrape());
    }
}
