package io.durableruns.ports.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One use of a tool (an external call: a search API, a model, a fetch) by one step attempt, persisted with
 * the attempt whether it succeeded or failed, for the run's debugging timeline.
 *
 * @param output the tool's answer, or {@code null} when it failed
 * @param error the error, or {@code null} when it succeeded
 */
public record ToolCallRecord(
        String runId,
        String step,
        int attempt,
        String tool,
        JsonNode input,
        JsonNode output,
        String error,
        Instant startedAt,
        long durationMs) {

    public ToolCallRecord {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(startedAt, "startedAt");
    }
}
