package io.durableruns.ports.model;

/** The status of a run. {@link #SUCCEEDED}, {@link #FAILED} and {@link #CANCELLED} are terminal. */
public enum RunStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
