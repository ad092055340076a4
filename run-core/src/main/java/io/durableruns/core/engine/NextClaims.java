package io.durableruns.core.engine;

import io.durableruns.ports.in.StepWorkerUseCase.Prefetch;

/**
 * What a step's commit claims for its worker's process besides committing the step.
 *
 * @param readied the worker's next step may be one this commit readies (it never waits in the queue)
 * @param prefetch when the commit readies no step for the worker, whether its next comes from the queue; and how
 *     many of the steps readied beyond the worker's own to claim too, for the process's other workers
 */
record NextClaims(boolean readied, Prefetch prefetch) {
    /** Claims nothing: the commit queues every step it readies. */
    static final NextClaims NONE = new NextClaims(false, new Fixed(false));

    /** The worker's next step: one the commit readied, or else the earliest due in the queue. */
    static final NextClaims READIED_OR_QUEUED = new NextClaims(true, new Fixed(true));

    /** Whether the worker's next step comes from the queue, the commit having readied none for it. */
    boolean fromQueue() {
        return readied && prefetch.nextFromQueue();
    }

    /** How many of {@code readiedBeyond} steps to claim beyond the worker's own: never more, never negative. */
    int beyond(int readiedBeyond) {
        if (!readied || readiedBeyond <= 0) {
            return 0;
        }
        return Math.max(0, Math.min(readiedBeyond, prefetch.claimBeyond(readiedBeyond)));
    }

    /** No prefetch: the queue or nothing, and no step beyond the worker's own. */
    private record Fixed(boolean fromQueue) implements Prefetch {
        @Override
        public boolean nextFromQueue() {
            return fromQueue;
        }

        @Override
        public int claimBeyond(int readiedBeyond) {
            return 0;
        }
    }
}
