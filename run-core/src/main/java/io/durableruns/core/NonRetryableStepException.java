package io.durableruns.core;

/**
 * Thrown by a step handler to fail the step at once, whatever its retry policy: for errors a retry cannot
 * fix (invalid input, a refused permission).
 *
 * <pre>{@code
 * if (topic.isBlank()) throw new NonRetryableStepException("input 'topic' is empty");
 * }</pre>
 */
public class NonRetryableStepException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NonRetryableStepException(String message) {
        super(message);
    }

    public NonRetryableStepException(String message, Throwable cause) {
        super(message, cause);
    }
}
