package io.durableruns.ports.model;

/** The kinds of timeline events. Every transition of a run or a step appends one. */
public enum EventType {
    RUN_CREATED,
    RUN_STARTED,
    RUN_SUCCEEDED,
    RUN_FAILED,
    RUN_CANCELLED,
    RUN_RETRIED,
    /** A step became ready and waits in the queue for a worker. */
    STEP_QUEUED,
    /**
     * An attempt of a step began. A step that becomes ready in the commit of its last dependency may be claimed in
     * that same commit by the worker that ran the dependency: it never waits in the queue, and its first attempt has
     * this event without a {@code STEP_QUEUED} before it.
     */
    STEP_STARTED,
    STEP_SUCCEEDED,
    STEP_FAILED,
    STEP_RETRY_SCHEDULED,
    STEP_LEASE_EXPIRED,
    STEP_RELEASED,
    STEP_CANCELLED,
    /**
     * An attempt returned after its run had finished (cancelled, or failed by another step): its outcome and
     * error are recorded here and its tool calls are kept, but it changes nothing and schedules nothing.
     */
    STEP_RESULT_DISCARDED,
    /**
     * The queue gave up delivering a message of the step (QStash's failure callback). When the step still waited
     * for the attempt the message named, a {@code STEP_FAILED} follows (the attempt counts); otherwise the data's
     * {@code ignored} says why it changed nothing.
     */
    STEP_DELIVERY_GIVEN_UP
}
