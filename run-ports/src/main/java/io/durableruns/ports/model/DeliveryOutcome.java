package io.durableruns.ports.model;

import java.time.Instant;
import java.util.Objects;

/**
 * What happened when a step message was delivered to the engine. Every outcome is final for the message: the engine
 * owns retries (a retry is a new dispatch intent, so a new message), so a push transport acknowledges every
 * outcome and its own redeliveries only cover transport failures.
 */
public sealed interface DeliveryOutcome {

    /** The step ran and its success was committed. */
    record Done(String runId, String step, int attempt) implements DeliveryOutcome {}

    /** The step had already succeeded; nothing was done. */
    record Duplicate(String runId, String step) implements DeliveryOutcome {}

    /** The attempt failed and the next one is scheduled at {@code at} (a dispatch intent exists). */
    record RetryAt(String runId, String step, int attempt, Instant at, StepError error) implements DeliveryOutcome {
        public RetryAt {
            Objects.requireNonNull(at, "at");
        }
    }

    /** The step failed for good (non-retryable error or attempts exhausted); the run failed. */
    record Failed(String runId, String step, int attempt, StepError error) implements DeliveryOutcome {}

    /**
     * Another executor holds a live lease on the step until {@code leaseUntil} (a duplicate of the message of the
     * running attempt): nothing to do; if that executor died, the sweeper recovers the step when the lease runs
     * out.
     */
    record Busy(String runId, String step, Instant leaseUntil) implements DeliveryOutcome {}

    /**
     * The message does not apply: the run is finished or cancelled, the step is not ready yet or not due,
     * or the attempt it was meant for was overtaken. Nothing was done and no redelivery is needed: the
     * engine writes a new dispatch intent whenever the step becomes runnable.
     */
    record Ignored(String runId, String step, String reason) implements DeliveryOutcome {}

    /** A stable lowercase name of the outcome, for logs and metrics. */
    default String label() {
        if (this instanceof Done) {
            return "done";
        } else if (this instanceof Duplicate) {
            return "duplicate";
        } else if (this instanceof RetryAt) {
            return "retry";
        } else if (this instanceof Failed) {
            return "failed";
        } else if (this instanceof Busy) {
            return "busy";
        }
        return "ignored";
    }
}
