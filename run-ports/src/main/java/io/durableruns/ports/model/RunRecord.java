package io.durableruns.ports.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One run as stored: pinned to the graph name and version it was created with.
 *
 * @param sinksRemaining how many sink steps (steps nothing depends on) have not succeeded yet; the run succeeds
 *     when it reaches zero, since every step is an ancestor of a sink
 * @param idempotencyKey the key the run was created with, or {@code null}
 * @param output the output of the run (the outputs of its sink steps), or {@code null} until it succeeds
 * @param finishedAt when the run reached a terminal status, or {@code null}
 */
public record RunRecord(
        String id,
        String graph,
        int version,
        RunStatus status,
        JsonNode input,
        JsonNode output,
        String idempotencyKey,
        int sinksRemaining,
        Instant createdAt,
        Instant updatedAt,
        Instant finishedAt) {

    public RunRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
