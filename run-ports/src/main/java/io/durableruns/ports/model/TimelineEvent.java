package io.durableruns.ports.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One entry of a run's timeline.
 *
 * @param seq the position of the event in the run's timeline, starting at 1; assigned by the store when
 *     read (0 on events not yet stored)
 * @param step the step concerned, or {@code null} for run-level events
 * @param attempt the step attempt concerned, or {@code null}
 * @param data event details (error type and message, retry time), never {@code null}
 */
public record TimelineEvent(
        long seq, String runId, Instant at, EventType type, String step, Integer attempt, JsonNode data) {
    public TimelineEvent {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
    }

    public TimelineEvent withSeq(long newSeq) {
        return new TimelineEvent(newSeq, runId, at, type, step, attempt, data);
    }
}
