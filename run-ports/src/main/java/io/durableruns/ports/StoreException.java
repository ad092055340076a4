package io.durableruns.ports;

/**
 * The run store failed (database unreachable, constraint violated unexpectedly). Store adapters wrap
 * their infrastructure exceptions in this type so that no driver type crosses a port. The transaction
 * in progress was rolled back; the operation may be retried.
 */
public class StoreException extends RunsException {
    private static final long serialVersionUID = 1L;
    private final boolean transientFailure;

    public StoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public StoreException(String message) {
        super(message);
        this.transientFailure = false;
    }

    /**
     * @param transientFailure whether the same work may well succeed if tried again shortly: the connection broke,
     *     the database restarted or is failing over, a lock was not granted in time, a deadlock or serialization
     *     conflict rolled the transaction back
     */
    public StoreException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /**
     * Whether the failure is of the kind that goes away on its own (see the constructor). When the connection broke
     * during a commit, the transaction may have committed all the same: only work that is idempotent, such as the
     * engine's compare-and-set commits under a fencing token, may simply be tried again.
     */
    public boolean isTransient() {
        return transientFailure;
    }
}
