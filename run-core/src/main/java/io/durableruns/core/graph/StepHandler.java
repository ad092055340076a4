package io.durableruns.core.graph;

import io.durableruns.core.StepContext;

/**
 * The code of a step. It returns the step's output: {@code null}, a Jackson {@code JsonNode}, or any value
 * Jackson can map to JSON (a record, a map, a string). Throwing fails the attempt; the step's retry policy
 * decides what happens next.
 *
 * <pre>{@code
 * StepHandler plan = ctx -> Map.of("queries", List.of(ctx.input().path("topic").asText()));
 * }</pre>
 *
 * <p>A handler may run more than once for one step (a retry, or a crash before its commit), so its external
 * effects should be idempotent: use {@link StepContext#idempotencyKey()} for calls to other services, and
 * {@link StepContext#artifacts()} for files.
 */
@FunctionalInterface
public interface StepHandler {
    Object handle(StepContext context) throws Exception;
}
