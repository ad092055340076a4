package io.durableruns.ports.in;

import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.StepLease;
import java.util.Optional;

/**
 * The outcome of one step attempt run by a worker, and possibly the lease of a successor step that was
 * claimed in the same transaction as the commit (so a chain costs about one transaction per step).
 */
public record WorkResult(DeliveryOutcome outcome, Optional<StepLease> next) {}
