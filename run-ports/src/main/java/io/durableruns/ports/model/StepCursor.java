package io.durableruns.ports.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A keyset position in a sweeper's scan of steps: the time the scan is ordered by (a lease's expiry, a step's due
 * time), then the run id and the step name of the last step of the previous page.
 */
public record StepCursor(Instant at, String runId, String step) {
    public StepCursor {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(step, "step");
    }
}
