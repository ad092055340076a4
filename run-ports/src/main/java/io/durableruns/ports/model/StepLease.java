package io.durableruns.ports.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A claim on one step attempt: the fencing token an executor must present to commit the attempt. A commit
 * is accepted only while the step is still {@link StepStatus#RUNNING} with this attempt number.
 */
public record StepLease(String runId, String step, int attempt, String owner, Instant leaseUntil) {
    public StepLease {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
    }
}
