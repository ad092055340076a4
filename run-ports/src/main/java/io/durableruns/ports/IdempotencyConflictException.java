package io.durableruns.ports;

/**
 * An idempotency key was reused with a different request. The original run stays untouched; the caller
 * should use a new key for a new request.
 */
public final class IdempotencyConflictException extends RunsException {
    private static final long serialVersionUID = 1L;
    private final String idempotencyKey;
    private final String existingRunId;

    public IdempotencyConflictException(String idempotencyKey, String existingRunId) {
        super("Idempotency key '" + idempotencyKey + "' was already used for run " + existingRunId
                + " with a different request; use a new key for a new request");
        this.idempotencyKey = idempotencyKey;
        this.existingRunId = existingRunId;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    public String existingRunId() {
        return existingRunId;
    }
}
