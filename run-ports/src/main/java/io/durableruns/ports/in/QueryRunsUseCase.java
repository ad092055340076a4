package io.durableruns.ports.in;

import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.RunCounts;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunPage;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.model.ToolCallRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads runs for people and tools: the run with its steps, its timeline, artifacts and tool calls.
 * Methods that take a run id throw {@link io.durableruns.ports.RunNotFoundException} for an unknown run.
 */
public interface QueryRunsUseCase {
    Optional<RunDetails> find(String runId);

    /**
     * One page of runs, newest first, with the steps of each run that are running, waiting to retry or failed.
     */
    RunPage list(RunListQuery query);

    /**
     * How many runs are in each status, of one graph when {@code graph} is not null, counted up to
     * {@link RunCounts#DEFAULT_CAP} per status.
     *
     * <pre>{@code
     * long failed = runs.countRuns(null).count(RunStatus.FAILED);
     * }</pre>
     */
    RunCounts countRuns(String graph);

    /**
     * How many runs of each graph version have not finished, so an operator can tell when an old version can be
     * retired; versions without unfinished runs are absent.
     */
    Map<GraphVersionRef, Long> unfinishedRunsByGraphVersion();

    List<TimelineEvent> timeline(String runId);

    List<ArtifactSummary> artifacts(String runId);

    Optional<ArtifactRecord> artifact(String runId, String step, String key);

    List<ToolCallRecord> toolCalls(String runId);
}
