package io.durableruns.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.function.LongSupplier;

/** The meters the HTTP adapter owns: signature rejections by reason and the queue depth gauge. */
final class ApiMetrics {
    static final String SIGNATURE_REJECTIONS = "durableruns.signature.rejections";
    static final String QUEUE_DEPTH = "durableruns.queue.depth";

    private final MeterRegistry registry;

    ApiMetrics(MeterRegistry registry, LongSupplier queueDepth) {
        this.registry = registry;
        if (queueDepth != null) {
            Gauge.builder(QUEUE_DEPTH, queueDepth, s -> (double) s.getAsLong())
                    .description("Steps waiting to be delivered (dispatch intents)")
                    .register(registry);
        }
    }

    void signatureRejected(String reason) {
        Counter.builder(SIGNATURE_REJECTIONS)
                .description("Requests to the job routes refused because of their signature, by reason")
                .tag("reason", tagValue(reason))
                .register(registry)
                .increment();
    }

    /** Keeps tag values short and tame, so that a verifier's wording cannot blow up the series count. */
    static String tagValue(String value) {
        if (value == null || value.isBlank()) {
            return "unknown";
        }
        String tame = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        return tame.length() <= 48 ? tame : tame.substring(0, 48);
    }
}
