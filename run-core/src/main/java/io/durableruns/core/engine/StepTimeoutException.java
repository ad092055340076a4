package io.durableruns.core.engine;

import java.time.Duration;

/** A step attempt ran longer than its timeout; it counts as a failed attempt and may be retried. */
public final class StepTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StepTimeoutException(String step, Duration timeout) {
        super("step '" + step + "' did not finish within its timeout of " + timeout);
    }
}
