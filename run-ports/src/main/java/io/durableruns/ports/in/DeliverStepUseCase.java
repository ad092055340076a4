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
     * The queue gave up delivering {@code message} (QStash's failure callback after the last redelivery). It acts
     * only on the attempt the message names, and only while the step still waits for it: that attempt then counts
     * as failed with a {@code DeliveryFailed} error, and the step is retried by its policy (a new message) or, with
     * no attempt left, fails with its run. A message for an attempt that is over (a duplicated or replayed
     * callback, a run retried by hand meanwhile) is recorded in the timeline and changes nothing.
     *
     * @return {@link io.durableruns.ports.model.DeliveryOutcome.RetryAt} or {@link
     *     io.durableruns.ports.model.DeliveryOutcome.Failed} when the attempt was counted, {@link
     *     io.durableruns.ports.model.DeliveryOutcome.Ignored} when the callback was stale
     */
    DeliveryOutcome giveUp(StepMessage message, String reason);
}
