package io.durableruns.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.durableruns.core.Artifacts;
import io.durableruns.core.StepContext;
import io.durableruns.core.ToolRecorder;
import io.durableruns.ports.model.Ids;
import io.durableruns.ports.model.ToolCallRecord;
import io.durableruns.ports.out.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The {@link StepContext} of one attempt: collects staged artifacts and tool calls until the commit. */
public final class AttemptContext implements StepContext, Artifacts, ToolRecorder {
    private final String runId;
    private final String stepName;
    private final String graphName;
    private final int graphVersion;
    private final int attempt;
    private final JsonNode input;
    private final Map<String, JsonNode> dependencyOutputs;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final RunStore store;
    private final Map<String, StagedArtifact> staged = new LinkedHashMap<>();
    private final List<ToolCallRecord> toolCalls = new ArrayList<>();

    public AttemptContext(
            String runId,
            String stepName,
            String graphName,
            int graphVersion,
            int attempt,
            JsonNode input,
            Map<String, JsonNode> dependencyOutputs,
            ObjectMapper mapper,
            Clock clock,
            RunStore store) {
        this.runId = runId;
        this.stepName = stepName;
        this.graphName = graphName;
        this.graphVersion = graphVersion;
        this.attempt = attempt;
        this.input = input;
        this.dependencyOutputs = Map.copyOf(dependencyOutputs);
        this.mapper = mapper;
        this.clock = clock;
        this.store = store;
    }

    /** An artifact written by the handler, committed with the step's success. */
    public record StagedArtifact(String key, String contentType, byte[] content) {}

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String stepName() {
        return stepName;
    }

    @Override
    public String graphName() {
        return graphName;
    }

    @Override
    public int graphVersion() {
        return graphVersion;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public String idempotencyKey() {
        return runId + "-" + stepName;
    }

    @Override
    public JsonNode input() {
        return input.deepCopy();
    }

    @Override
    public <T> T input(Class<T> type) {
        return convert(input, type, "run input");
    }

    @Override
    public JsonNode output(String step) {
        JsonNode out = dependencyOutputs.get(step);
        if (out == null) {
            throw new IllegalArgumentException("step '" + stepName + "' does not depend on '" + step
                    + "'; it can read the outputs of " + dependencyOutputs.keySet());
        }
        return out.deepCopy();
    }

    @Override
    public <T> T output(String step, Class<T> type) {
        return convert(output(step), type, "output of '" + step + "'");
    }

    private <T> T convert(JsonNode node, Class<T> type, String what) {
        try {
            return mapper.treeToValue(node, type);
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "cannot map the " + what + " to " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Artifacts artifacts() {
        return this;
    }

    @Override
    public ToolRecorder tools() {
        return this;
    }

    @Override
    public synchronized void put(String key, String contentType, byte[] content) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(content, "content");
        if (!Ids.isArtifactKey(key)) {
            throw new IllegalArgumentException("artifact key must match " + Ids.ARTIFACT_KEY.pattern()
                    + " (one URL path segment, at most 200 characters), was '" + key + "'");
        }
        staged.put(key, new StagedArtifact(key, contentType, content.clone()));
    }

    @Override
    public Optional<byte[]> get(String key) {
        synchronized (this) {
            StagedArtifact a = staged.get(key);
            if (a != null) {
                return Optional.of(a.content().clone());
            }
        }
        return store.read(tx -> tx.artifacts().find(runId, stepName, key)).map(a -> a.content());
    }

    @Override
    public <T> T call(String tool, Object input, Callable<T> call) throws Exception {
        Instant start = clock.instant().truncatedTo(ChronoUnit.MICROS);
        try {
            T result = call.call();
            record(tool, input, result, null, start, Duration.between(start, clock.instant()));
            return result;
        } catch (Exception e) {
            record(
                    tool,
                    input,
                    null,
                    e.getClass().getName() + ": " + e.getMessage(),
                    start,
                    Duration.between(start, clock.instant()));
            throw e;
        }
    }

    @Override
    public void record(String tool, Object input, Object output, String error, Instant startedAt, Duration duration) {
        Objects.requireNonNull(tool, "tool");
        ToolCallRecord r = new ToolCallRecord(
                runId,
                stepName,
                attempt,
                tool,
                toJson(input),
                error == null ? toJson(output) : null,
                error,
                startedAt.truncatedTo(ChronoUnit.MICROS),
                Math.max(0, duration.toMillis()));
        synchronized (this) {
            toolCalls.add(r);
        }
    }

    private JsonNode toJson(Object value) {
        if (value == null) {
            return NullNode.getInstance();
        }
        try {
            return mapper.valueToTree(value);
        } catch (IllegalArgumentException e) {
            return mapper.getNodeFactory().textNode(String.valueOf(value));
        }
    }

    public synchronized List<StagedArtifact> stagedArtifacts() {
        return List.copyOf(staged.values());
    }

    public synchronized List<ToolCallRecord> toolCalls() {
        return List.copyOf(toolCalls);
    }
}
