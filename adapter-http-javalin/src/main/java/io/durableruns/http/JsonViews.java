package io.durableruns.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.model.GraphDescription;
import io.durableruns.ports.model.RetryPolicyDescription;
import io.durableruns.ports.model.RunCounts;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepDescription;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepSummary;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.model.ToolCallRecord;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The JSON shapes of the API, built as trees so that every field is written explicitly.
 *
 * <p>Conventions: instants are ISO-8601 strings in UTC ({@code 2026-01-30T12:00:00.123456Z}); durations are
 * whole milliseconds in fields whose names end in {@code Ms}; statuses and event types are the upper-case
 * enum names; every documented field is always present, with {@code null} when it has no value.
 */
final class JsonViews {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonViews() {}

    /** Parses a request body; an empty body gives {@link MissingNode}. */
    static JsonNode parse(byte[] body) throws IOException {
        if (body.length == 0) {
            return MissingNode.getInstance();
        }
        return MAPPER.readTree(body);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not render a JSON tree; indicates a bug", e);
        }
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ObjectNode error(String code, String message) {
        ObjectNode body = object();
        body.putObject("error").put("code", code).put("message", message);
        return body;
    }

    static ObjectNode run(RunRecord run) {
        ObjectNode n = object();
        n.put("id", run.id());
        n.put("graph", run.graph());
        n.put("version", run.version());
        n.put("status", run.status().name());
        n.set("input", orNull(run.input()));
        n.set("output", orNull(run.output()));
        n.put("createdAt", instant(run.createdAt()));
        n.put("updatedAt", instant(run.updatedAt()));
        n.put("finishedAt", instant(run.finishedAt()));
        return n;
    }

    /** A run of a listing, with the steps it is running, waiting to retry or failed at. */
    static ObjectNode listedRun(RunRecord run, List<StepSummary> currentSteps) {
        ObjectNode n = run(run);
        ArrayNode steps = n.putArray("currentSteps");
        for (StepSummary step : currentSteps) {
            steps.add(object().put("name", step.name())
                    .put("status", step.status().name())
                    .put("attempt", step.attempt()));
        }
        return n;
    }

    /** {@code {"counts":{"QUEUED":n,...},"cap":n}}: a count equal to the cap means "at least". */
    static ObjectNode counts(RunCounts counts) {
        ObjectNode n = object();
        ObjectNode byStatus = n.putObject("counts");
        for (RunStatus status : RunStatus.values()) {
            byStatus.put(status.name(), counts.count(status));
        }
        n.put("cap", counts.cap());
        return n;
    }

    static ObjectNode runDetails(RunDetails details) {
        ObjectNode n = run(details.run());
        ArrayNode steps = n.putArray("steps");
        details.steps().forEach(s -> steps.add(step(s)));
        return n;
    }

    static ObjectNode step(StepRecord step) {
        ObjectNode n = object();
        n.put("name", step.name());
        n.put("status", step.status().name());
        n.put("attempt", step.attempt());
        n.put("attemptsInBudget", step.attemptsInBudget());
        n.set("dependsOn", strings(step.dependsOn()));
        n.put("pendingDeps", step.pendingDeps());
        n.put("dueAt", instant(step.dueAt()));
        n.put("leaseOwner", step.leaseOwner());
        n.put("leaseUntil", instant(step.leaseUntil()));
        n.put("startedAt", instant(step.startedAt()));
        n.put("finishedAt", instant(step.finishedAt()));
        n.set("output", orNull(step.output()));
        n.set("error", stepError(step.error()));
        return n;
    }

    static JsonNode stepError(StepError error) {
        if (error == null) {
            return NODES.nullNode();
        }
        ObjectNode n = object();
        n.put("type", error.type());
        n.put("message", error.message());
        n.put("stackTrace", error.stackTrace());
        return n;
    }

    /** {@code {"<field>": [view of each item]}}, the shape of every list the API answers. */
    static <T> ObjectNode listOf(String field, List<T> items, Function<T, ObjectNode> view) {
        ObjectNode n = object();
        ArrayNode list = n.putArray(field);
        items.forEach(item -> list.add(view.apply(item)));
        return n;
    }

    static ObjectNode event(TimelineEvent event) {
        ObjectNode n = object();
        n.put("seq", event.seq());
        n.put("at", instant(event.at()));
        n.put("type", event.type().name());
        n.put("step", event.step());
        n.put("attempt", event.attempt());
        n.set("data", orNull(event.data()));
        return n;
    }

    static ObjectNode artifact(ArtifactSummary artifact) {
        ObjectNode n = object();
        n.put("step", artifact.step());
        n.put("key", artifact.key());
        n.put("contentType", artifact.contentType());
        n.put("size", artifact.size());
        n.put("createdAt", instant(artifact.createdAt()));
        return n;
    }

    static ObjectNode toolCall(ToolCallRecord call) {
        ObjectNode n = object();
        n.put("step", call.step());
        n.put("attempt", call.attempt());
        n.put("tool", call.tool());
        n.set("input", orNull(call.input()));
        n.set("output", orNull(call.output()));
        n.put("error", call.error());
        n.put("startedAt", instant(call.startedAt()));
        n.put("durationMs", call.durationMs());
        return n;
    }

    static ObjectNode graph(GraphDescription graph) {
        ObjectNode n = object();
        n.put("name", graph.name());
        n.put("version", graph.version());
        n.put("fingerprint", graph.fingerprint());
        ArrayNode steps = n.putArray("steps");
        graph.steps().forEach(s -> steps.add(stepDescription(s)));
        return n;
    }

    private static ObjectNode stepDescription(StepDescription step) {
        ObjectNode n = object();
        n.put("name", step.name());
        n.set("dependsOn", strings(step.dependsOn()));
        n.set("retry", retry(step.retry()));
        n.put("timeoutMs", millis(step.timeout()));
        return n;
    }

    private static JsonNode retry(RetryPolicyDescription policy) {
        if (policy == null) {
            return NODES.nullNode();
        }
        ObjectNode n = object();
        n.put("maxAttempts", policy.maxAttempts());
        n.put("initialBackoffMs", millis(policy.initialBackoff()));
        n.put("multiplier", policy.multiplier());
        n.put("maxBackoffMs", millis(policy.maxBackoff()));
        n.put("jitter", policy.jitter());
        n.set("nonRetryable", strings(policy.nonRetryable()));
        return n;
    }

    static ArrayNode strings(Collection<String> values) {
        ArrayNode a = NODES.arrayNode();
        values.forEach(a::add);
        return a;
    }

    static String instant(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Long millis(Duration duration) {
        return duration == null ? null : duration.toMillis();
    }

    private static JsonNode orNull(JsonNode node) {
        return node == null || node.isMissingNode() ? NODES.nullNode() : node;
    }
}
