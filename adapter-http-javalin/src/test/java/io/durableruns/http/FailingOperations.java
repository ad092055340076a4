package io.durableruns.http;

import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.CreateRunResult;
import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.in.RunOperations;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.GraphDescription;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.RunCounts;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunPage;
import io.durableruns.ports.model.SweepResult;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.model.ToolCallRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Delegates to the engine, or throws the configured exception from every use case once it is set. */
final class FailingOperations implements RunOperations {
    private final RunOperations delegate;
    private volatile RuntimeException failure;

    FailingOperations(RunOperations delegate) {
        this.delegate = delegate;
    }

    void failWith(RuntimeException e) {
        this.failure = e;
    }

    private void maybeFail() {
        RuntimeException e = failure;
        if (e != null) {
            throw e;
        }
    }

    @Override
    public CreateRunResult create(CreateRunCommand command) {
        maybeFail();
        return delegate.create(command);
    }

    @Override
    public List<CreateRunResult> createAll(List<CreateRunCommand> commands) {
        maybeFail();
        return delegate.createAll(commands);
    }

    @Override
    public DeliveryOutcome deliver(StepMessage message) {
        maybeFail();
        return delegate.deliver(message);
    }

    @Override
    public DeliveryOutcome giveUp(StepMessage message, String reason) {
        maybeFail();
        return delegate.giveUp(message, reason);
    }

    @Override
    public RunDetails retry(String runId) {
        maybeFail();
        return delegate.retry(runId);
    }

    @Override
    public RunDetails cancel(String runId) {
        maybeFail();
        return delegate.cancel(runId);
    }

    @Override
    public Optional<RunDetails> find(String runId) {
        maybeFail();
        return delegate.find(runId);
    }

    @Override
    public RunPage list(RunListQuery query) {
        maybeFail();
        return delegate.list(query);
    }

    @Override
    public RunCounts countRuns(String graph) {
        maybeFail();
        return delegate.countRuns(graph);
    }

    @Override
    public Map<GraphVersionRef, Long> unfinishedRunsByGraphVersion() {
        maybeFail();
        return delegate.unfinishedRunsByGraphVersion();
    }

    @Override
    public List<TimelineEvent> timeline(String runId) {
        maybeFail();
        return delegate.timeline(runId);
    }

    @Override
    public List<ArtifactSummary> artifacts(String runId) {
        maybeFail();
        return delegate.artifacts(runId);
    }

    @Override
    public Optional<ArtifactRecord> artifact(String runId, String step, String key) {
        maybeFail();
        return delegate.artifact(runId, step, key);
    }

    @Override
    public List<ToolCallRecord> toolCalls(String runId) {
        maybeFail();
        return delegate.toolCalls(runId);
    }

    @Override
    public SweepResult sweep() {
        maybeFail();
        return delegate.sweep();
    }

    @Override
    public List<GraphDescription> graphs() {
        maybeFail();
        return delegate.graphs();
    }

    @Override
    public Optional<GraphDescription> graph(String name, int version) {
        maybeFail();
        return delegate.graph(name, version);
    }
}
