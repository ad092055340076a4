package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.core.internal.Json;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.TimelineEvent;
import java.util.ArrayList;
import java.util.List;

/** Timeline events collected during one transaction and appended together before it commits. */
final class Events {
    private final String runId;
    private final List<TimelineEvent> events = new ArrayList<>();

    Events(String runId) {
        this.runId = runId;
    }

    Events add(java.time.Instant at, EventType type, String step, Integer attempt, ObjectNode data) {
        events.add(new TimelineEvent(0, runId, at, type, step, attempt, data == null ? Json.obj() : data));
        return this;
    }

    static ObjectNode error(StepError error) {
        return Json.obj("errorType", error.type(), "message", error.message());
    }

    /** The error of one failed attempt with its stack trace, so that every attempt's failure stays readable. */
    static ObjectNode attemptError(StepError error) {
        return error(error).put("stackTrace", error.stackTrace());
    }

    List<TimelineEvent> list() {
        return events;
    }

    boolean isEmpty() {
        return events.isEmpty();
    }
}
