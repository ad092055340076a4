package io.durableruns.core.testkit;

/**
 * Thrown by the test kit where it simulates a process dying: after a step's handler ran and before its
 * result was committed. It is an {@link Error} so that nothing in the engine treats it as a step failure.
 */
public final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    public SimulatedCrash(String message) {
        super(message);
    }
}
