package io.durableruns.core.engine;

/** Who delivers the next attempt of a step whose attempt failed and will be retried. */
public enum RetryDelivery {
    /** The engine writes a dispatch intent due at the backoff time (the local dispatcher). */
    INTENT,
    /**
     * The transport redelivers the same message (QStash, told by a 5xx answer with {@code Retry-After});
     * the engine writes no intent, and the sweeper re-dispatches the step if the redelivery never comes.
     */
    REDELIVERY
}
