package io.durableruns.ports;

/**
 * The run store failed (database unreachable, constraint violated unexpectedly). Store adapters wrap
 * their infrastructure exceptions in this type so that no driver type crosses a port. The transaction
 * in progress was rolled back; the operation may be retried.
 */
public class StoreException extends RunsException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
