package io.durableruns.core.engine;

import io.durableruns.ports.model.StepLease;

/**
 * Points where tests inject faults into step attempts. Production code leaves the default
 * ({@link #NONE}); the offline test kit uses them to fail or "crash" a chosen attempt.
 */
public interface ExecutionHooks {

    /** Called before the handler; an exception thrown here fails the attempt as if the handler threw it. */
    default void beforeHandler(StepLease lease) throws Exception {}

    /**
     * Called after the handler returned and before the attempt is committed; anything thrown here
     * propagates to the caller of {@code work}/{@code deliver} and nothing is committed, as when the process
     * dies at that instant. The step stays RUNNING until its lease expires.
     */
    default void beforeCommit(StepLease lease) {}

    ExecutionHooks NONE = new ExecutionHooks() {};
}
