package io.durableruns.ports.in;

import io.durableruns.ports.model.DeliveryOutcome;

/**
 * Executes a step in answer to a message from a queue (QStash). Delivering the same message any number of
 * times, concurrently or in any order, ends in the same state as delivering it once.
 *
 * <pre>{@code
 * DeliveryOutcome outcome = runs.deliver(new StepMessage(runId, "plan"));
 * }</pre>
 */
public interface DeliverStepUseCase {
    /** Claims the step, runs its handler and commits the result, all under a fencing token. */
    DeliveryOutcome deliver(StepMessage message);

    /**
     * Marks a step failed for good because the queue gave up delivering it (for example QStash's failure
     * callback after the last retry). Idempotent: a step that already finished is left as it is.
     *
     * @return {@code true} when the step was failed by this call
     */
    boolean giveUp(StepMessage message, String reason);
}
