package io.durableruns.core.engine;

import io.durableruns.ports.model.DeliveryOutcome;

/** Either a claimed attempt or the outcome that explains why nothing was claimed. */
record ClaimResult(PreparedAttempt attempt, DeliveryOutcome outcome) {
    static ClaimResult claimed(PreparedAttempt attempt) {
        return new ClaimResult(attempt, null);
    }

    static ClaimResult not(DeliveryOutcome outcome) {
        return new ClaimResult(null, outcome);
    }

    boolean isClaimed() {
        return attempt != null;
    }
}
