package io.durableruns.ports.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A dispatch intent taken from the outbox to be published by a push transport, with what its message names: the
 * run, the step, the graph version and the attempt it starts.
 *
 * @param intentId the intent's id, which the transport uses as the message's deduplication id
 * @param dueAt when the attempt may start (a transport that can delay delivery publishes it ahead)
 */
public record OutboundStep(
        String intentId, String runId, String step, int attempt, String graph, int version, Instant dueAt) {
    public OutboundStep {
        Objects.requireNonNull(intentId, "intentId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(dueAt, "dueAt");
    }
}
