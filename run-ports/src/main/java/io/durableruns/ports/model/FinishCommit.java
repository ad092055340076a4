package io.durableruns.ports.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A run's finish: the success of the last step of a run whose graph has one sink, which is that step, and with it
 * the run's success. See {@link io.durableruns.ports.out.StoreTransaction#commitFinish}.
 *
 * @param succeeded the step as it is to be stored: {@link StepStatus#SUCCEEDED}, with its output
 * @param expectedAttempt the attempt that must still be {@link StepStatus#RUNNING} (the fencing token)
 * @param at when the run finishes: its update and finish time and the events' time
 * @param succeededData the data of the step's {@link EventType#STEP_SUCCEEDED} event
 * @param output the run's output
 */
public record FinishCommit(
        StepRecord succeeded, int expectedAttempt, Instant at, JsonNode succeededData, JsonNode output) {
    public FinishCommit {
        Objects.requireNonNull(succeeded, "succeeded");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(succeededData, "succeededData");
        Objects.requireNonNull(output, "output");
        if (succeeded.status() != StepStatus.SUCCEEDED) {
            throw new IllegalArgumentException("a finish commits a SUCCEEDED step, not " + succeeded.status());
        }
    }

    public String runId() {
        return succeeded.runId();
    }
}
