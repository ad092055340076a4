package io.durableruns.ports.out;

import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.SweepResult;
import java.time.Duration;

/**
 * Receives engine events after they committed, for metrics. Every method has an empty default;
 * implementations must be fast and must not throw.
 */
public interface EngineObserver {
    default void runCreated(String graph) {}

    default void runFinished(String graph, RunStatus status) {}

    /** A step attempt ended with {@code outcome} after running its handler for {@code duration}. */
    default void stepAttempted(String graph, String step, DeliveryOutcome outcome, Duration duration) {}

    /** A delivery or worker lease ended with {@code outcome} (including duplicates and busy answers). */
    default void delivered(DeliveryOutcome outcome) {}

    /** A sweep ended; {@code result} counts what it recovered (expired leases, stranded steps). */
    default void swept(SweepResult result) {}

    /**
     * A dispatcher's worker thread died of {@code cause} (an error outside any step handler, such as an {@link
     * OutOfMemoryError} in the engine itself) and a new worker took its place.
     */
    default void workerReplaced(String worker, Throwable cause) {}

    EngineObserver NONE = new EngineObserver() {};
}
