package io.durableruns.ports.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A request, written in the same transaction as the state change that produced it, to deliver one attempt of one
 * step of one run at or after {@code dueAt}. Each attempt is its own intent (and, with a push transport such as
 * QStash, its own message): a retry is a new intent due at the end of its backoff, so a transport's own redelivery
 * never stands in for an attempt of the step. A step that became ready is due since its run was created, so a queue
 * ordered by due time serves the ready steps of older runs first. The local dispatcher consumes intents as its
 * queue; a push transport publishes them (the id doubles as the deduplication id, so it uses only {@code
 * [A-Za-z0-9_-]}).
 *
 * @param attempt the attempt number the intent starts (the step's attempt + 1 when it was written)
 */
public record DispatchIntent(String id, String runId, String step, int attempt, Instant dueAt, Instant createdAt) {
    public DispatchIntent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(dueAt, "dueAt");
        Objects.requireNonNull(createdAt, "createdAt");
        if (attempt < 1) {
            throw new IllegalArgumentException("an intent starts attempt 1 or later, not " + attempt);
        }
    }
}
