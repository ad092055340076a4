package io.durableruns.ports.out;

import java.time.Instant;

/**
 * Told by the engine, after a commit, that dispatch intents were written, so that a dispatcher can wake up
 * at once instead of polling. Implementations must be fast and must not throw.
 */
@FunctionalInterface
public interface DispatchSignal {
    /** @param earliestDue the earliest due time among the intents just committed */
    void intentsCommitted(Instant earliestDue);

    DispatchSignal NONE = earliestDue -> {};
}
