package io.durableruns.ports.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A request, written in the same transaction as the state change that produced it, to deliver one step of
 * one run at or after {@code dueAt}. A step that became ready is due since its run was created, so a queue
 * ordered by due time serves the ready steps of older runs first; a retry is due at the end of its backoff. The local dispatcher consumes intents as its queue; the QStash relay
 * publishes them (the id doubles as the deduplication id, so it uses only {@code [A-Za-z0-9_-]}).
 */
public record DispatchIntent(String id, String runId, String step, Instant dueAt, Instant createdAt) {
    public DispatchIntent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(dueAt, "dueAt");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
