package io.durableruns.core.engine;

import io.durableruns.ports.RunsException;

/**
 * The engine tried a status change that the state machine forbids. This indicates a bug in the engine or
 * in a store adapter; it is never a caller's mistake and should not be caught.
 */
public final class IllegalTransitionException extends RunsException {
    private static final long serialVersionUID = 1L;

    public IllegalTransitionException(String what, Enum<?> from, Enum<?> to) {
        super("Illegal " + what + " transition " + from + " -> " + to + "; this indicates a bug");
    }
}
