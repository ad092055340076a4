package io.durableruns.ports.model;

import java.util.List;
import java.util.Map;

/**
 * One page of runs, newest first.
 *
 * @param nextCursor an opaque cursor for the next page, or {@code null} on the last page
 * @param currentSteps for each run of the page that has some, its steps that are running, waiting to retry or
 *     failed (in the graph's order), keyed by run id
 */
public record RunPage(List<RunRecord> runs, String nextCursor, Map<String, List<StepSummary>> currentSteps) {
    public RunPage {
        runs = List.copyOf(runs);
        currentSteps = Map.copyOf(currentSteps);
    }

    /** A page without current steps. */
    public RunPage(List<RunRecord> runs, String nextCursor) {
        this(runs, nextCursor, Map.of());
    }

    /** The running, retrying or failed steps of one run of this page; empty when it has none. */
    public List<StepSummary> currentSteps(String runId) {
        return currentSteps.getOrDefault(runId, List.of());
    }
}
