package io.durableruns.ports.in;

import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunPage;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.model.ToolCallRecord;
import java.util.List;
import java.util.Optional;

/**
 * Reads runs for people and tools: the run with its steps, its timeline, artifacts and tool calls.
 * Methods that take a run id throw {@link io.durableruns.ports.RunNotFoundException} for an unknown run.
 */
public interface QueryRunsUseCase {
    Optional<RunDetails> find(String runId);

    RunPage list(RunListQuery query);

    List<TimelineEvent> timeline(String runId);

    List<ArtifactSummary> artifacts(String runId);

    Optional<ArtifactRecord> artifact(String runId, String step, String key);

    List<ToolCallRecord> toolCalls(String runId);
}
