package io.durableruns.ports;

/**
 * Root of every exception the library throws on purpose. It is unchecked: callers catch a subclass when
 * they can act on it (for example {@link RunNotFoundException} to answer 404) and let the rest propagate.
 */
public abstract class RunsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected RunsException(String message) {
        super(message);
    }

    protected RunsException(String message, Throwable cause) {
        super(message, cause);
    }
}
