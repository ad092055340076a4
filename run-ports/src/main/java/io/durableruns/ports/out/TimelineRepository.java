package io.durableruns.ports.out;

import io.durableruns.ports.model.TimelineEvent;
import java.util.List;

/** The append-only timeline of each run. */
public interface TimelineRepository {

    /** Appends events in the given order (their {@code seq} is ignored). */
    void append(List<TimelineEvent> events);

    /** The events of a run in the order they were appended, with {@code seq} 1, 2, 3, ... */
    List<TimelineEvent> findByRun(String runId);
}
