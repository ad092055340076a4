package io.durableruns.ports.in;

import io.durableruns.ports.model.StepLease;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What a pull-based dispatcher (the local dispatcher, the offline test kit) uses to run steps: claim due
 * work in batches, run each lease, and release leases it will not run.
 */
public interface StepWorkerUseCase {
    /**
     * Claims up to {@code max} due steps for {@code owner} in one transaction, consuming their dispatch
     * intents. Steps that cannot be claimed (finished, cancelled) are skipped.
     */
    List<StepLease> claimDue(String owner, int max);

    /**
     * Runs the handler of a claimed step and commits the outcome under the lease's fencing token.
     *
     * @param claimSuccessor when {@code true}, the transaction that commits the step also claims the worker's
     *     next step for the same owner and returns it in {@link WorkResult#next()}: a successor the commit
     *     readied, or else the earliest due step in the queue
     */
    WorkResult work(StepLease lease, boolean claimSuccessor);

    /**
     * As {@link #work(StepLease, boolean)} with {@code claimSuccessor}, for a worker of a process that holds claimed
     * steps in memory (a prefetch), which {@code prefetch} speaks for inside the commit's transaction. When the
     * commit readies more than one step (a fan-out's branches), it takes one for the worker, claims as many of the
     * others as {@link Prefetch#claimBeyond} allows for the same owner instead of queuing them, and returns their
     * leases in {@link WorkResult#alsoClaimed()}. Their leases run from the commit on, whether or not a worker has
     * started them: the caller runs them soon or gives them back. When it readies none, the worker's next step comes
     * from the queue only if {@link Prefetch#nextFromQueue} says so.
     */
    WorkResult work(StepLease lease, Prefetch prefetch);

    /**
     * What a process holding claimed steps in memory tells a commit, from inside its transaction: fast, no I/O. If
     * the transaction is tried again, so are the questions.
     */
    interface Prefetch {
        /**
         * The commit readied no step for the worker: whether to claim its next step from the queue ({@code false}
         * when the process has a claimed step for the worker already).
         */
        boolean nextFromQueue();

        /** The commit readied {@code readiedBeyond} steps beyond the worker's own: how many of them to claim too. */
        int claimBeyond(int readiedBeyond);
    }

    /** Gives a claimed step back without counting the attempt (used at shutdown). */
    void release(StepLease lease);

    /**
     * Gives back every step {@code owner} holds a lease on that is not among {@code held}: the claims of a
     * transaction whose answer was lost when the database connection broke (it may have committed), and attempts
     * whose result could not be committed. They are queued again at once instead of waiting for their leases to
     * run out; the attempts they hold are not counted.
     *
     * @return how many steps were given back
     */
    int releaseUnheld(String owner, Collection<StepLease> held);

    /** When the earliest dispatch intent is due, if there is one. */
    Optional<Instant> nextDueAt();
}
