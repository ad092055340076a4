package io.durableruns.ports.model;

/**
 * The status of one step of a run.
 *
 * <ul>
 *   <li>{@link #PENDING}: waiting for its dependencies.
 *   <li>{@link #QUEUED}: ready; a dispatch intent exists for it.
 *   <li>{@link #RUNNING}: claimed by an executor that holds a lease.
 *   <li>{@link #RETRYING}: an attempt failed; the next one is due at the step's {@code dueAt}.
 *   <li>{@link #SUCCEEDED}, {@link #FAILED}, {@link #CANCELLED}: finished.
 * </ul>
 */
public enum StepStatus {
    PENDING,
    QUEUED,
    RUNNING,
    RETRYING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** Whether an executor may claim a step in this status (when it is due). */
    public boolean isClaimable() {
        return this == QUEUED || this == RETRYING;
    }
}
