package io.durableruns.ports.in;

import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.StepLease;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one step attempt run by a worker, and possibly the lease of the worker's next step, claimed
 * in the same transaction as the commit (so a busy worker costs about one transaction per step).
 *
 * @param outcome what became of the attempt
 * @param next the worker's next step, claimed in the commit, if it asked for one
 * @param alsoClaimed more steps the commit readied and claimed for the same owner instead of queuing them (a
 *     fan-out's branches), when the worker asked for them; the dispatcher's other workers run them
 */
public record WorkResult(DeliveryOutcome outcome, Optional<StepLease> next, List<StepLease> alsoClaimed) {
    public WorkResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(next, "next");
        alsoClaimed = List.copyOf(alsoClaimed);
    }

    /** A result with no steps claimed beyond the worker's next. */
    public WorkResult(DeliveryOutcome outcome, Optional<StepLease> next) {
        this(outcome, next, List.of());
    }
}
