package io.durableruns.http;

import io.durableruns.ports.in.MessageVerifier;
import io.durableruns.ports.in.RunOperations;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The settings of one server, validated by {@link RunsHttpServer.Builder#build()}.
 *
 * @param verifier checks QStash signatures of step deliveries, or {@code null}: every delivery is then refused
 * @param failureVerifier checks the signatures of QStash failure callbacks (signed for the callback URL), or
 *     {@code null}: every callback is then refused
 * @param apiToken the bearer token of the management routes, or {@code null} for none (then the host is
 *     always {@code 127.0.0.1})
 * @param queueDepth the number of steps waiting to be delivered, or {@code null} for no gauge
 * @param trustedOrigins origins whose pages may send state-changing requests besides the server's own
 */
record HttpApiOptions(
        RunOperations operations,
        MessageVerifier verifier,
        MessageVerifier failureVerifier,
        String apiToken,
        int bodyLimit,
        BooleanSupplier readiness,
        LongSupplier queueDepth,
        PrometheusMeterRegistry meterRegistry,
        String host,
        int port,
        Set<String> trustedOrigins) {}
