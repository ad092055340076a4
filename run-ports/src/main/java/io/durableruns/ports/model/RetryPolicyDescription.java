package io.durableruns.ports.model;

import java.time.Duration;
import java.util.List;

/**
 * A step's retry policy in plain values.
 *
 * @param maxAttempts attempts per retry budget (1 means no retry)
 * @param jitter the fraction (0 to 1) by which a backoff is randomly shortened
 * @param nonRetryable fully qualified names of exception types that fail the step at once
 */
public record RetryPolicyDescription(
        int maxAttempts,
        Duration initialBackoff,
        double multiplier,
        Duration maxBackoff,
        double jitter,
        List<String> nonRetryable) {

    public RetryPolicyDescription {
        nonRetryable = List.copyOf(nonRetryable);
    }
}
