package io.durableruns.ports.in;

import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.StepLease;
import java.util.Optional;

/**
 * The outcome of one step attempt run by a worker, and possibly the lease of the worker's next step, claimed
 * in the same transaction as the commit (so a busy worker costs about one transaction per step).
 */
public record WorkResult(DeliveryOutcome outcome, Optional<StepLease> next) {}
