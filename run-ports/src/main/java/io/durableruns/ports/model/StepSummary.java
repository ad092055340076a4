package io.durableruns.ports.model;

import java.util.Objects;

/**
 * A step in a few fields, for listings: which step of a run is running, waiting to retry or failed.
 *
 * @param attempt the number of the step's latest attempt (0 before the first claim)
 */
public record StepSummary(String runId, String name, StepStatus status, int attempt) {
    public StepSummary {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
    }
}
