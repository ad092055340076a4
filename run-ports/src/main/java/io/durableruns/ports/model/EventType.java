package io.durableruns.ports.model;

/** The kinds of timeline events. Every transition of a run or a step appends one. */
public enum EventType {
    RUN_CREATED,
    RUN_STARTED,
    RUN_SUCCEEDED,
    RUN_FAILED,
    RUN_CANCELLED,
    RUN_RETRIED,
    STEP_QUEUED,
    STEP_STARTED,
    STEP_SUCCEEDED,
    STEP_FAILED,
    STEP_RETRY_SCHEDULED,
    STEP_LEASE_EXPIRED,
    STEP_RELEASED,
    STEP_CANCELLED
}
