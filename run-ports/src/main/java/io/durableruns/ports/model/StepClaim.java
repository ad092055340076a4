package io.durableruns.ports.model;

import java.time.Instant;
import java.util.Objects;

/**
 * The claim to make of a step in the write that counts down its last dependency, if that write leaves it ready:
 * the worker that committed the dependency runs the step next (see {@code StepRepository.decrementPendingDepsAndClaim}).
 *
 * @param owner the executor that takes the lease
 * @param leaseUntil when the lease expires
 * @param at when the step is claimed: its attempt's start and the row's update time
 */
public record StepClaim(String owner, Instant leaseUntil, Instant at) {
    public StepClaim {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(at, "at");
    }

    /**
     * Whether {@code afterCountdown}, as returned by a countdown with this claim, was claimed by it. A step with a
     * dependency left is never RUNNING, so a RUNNING step without one, leased to this owner, was claimed by the
     * countdown that just took its last dependency.
     */
    public boolean claimed(StepRecord afterCountdown) {
        return afterCountdown.status() == StepStatus.RUNNING
                && afterCountdown.pendingDeps() == 0
                && owner.equals(afterCountdown.leaseOwner());
    }

    /**
     * {@code step}, which had its last dependency counted down and was PENDING, claimed: RUNNING, its next attempt,
     * leased to the owner, started now, with no due or finish time.
     */
    public StepRecord applyTo(StepRecord step) {
        return new StepRecord(
                step.runId(),
                step.name(),
                StepStatus.RUNNING,
                step.attempt() + 1,
                step.budgetBase(),
                step.pendingDeps(),
                step.dependsOn(),
                owner,
                leaseUntil,
                null,
                at,
                null,
                step.output(),
                step.error(),
                at);
    }
}
