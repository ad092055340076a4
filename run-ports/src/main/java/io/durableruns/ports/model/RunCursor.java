package io.durableruns.ports.model;

import java.time.Instant;
import java.util.Objects;

/** A keyset position in the run listing (newest first): the last run of the previous page. */
public record RunCursor(Instant createdAt, String runId) {
    public RunCursor {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(runId, "runId");
    }
}
