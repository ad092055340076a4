package io.durableruns.examples.graphs;

import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code flaky} demo graph: one step, {@code wobble}, with at most 2 attempts. With
 * {@code {"failTimes":{"wobble":2}}} the run fails; a manual retry then succeeds (attempt 3).
 */
public final class FlakyGraph {
    public static final String NAME = "flaky";

    private FlakyGraph() {}

    public static StepGraph create() {
        return StepGraph.builder(NAME, 1)
                .step(StepDefinition.named("wobble")
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(2)
                                .initialBackoff(Duration.ofMillis(200))
                                .build())
                        .timeout(Duration.ofMinutes(1))
                        .handler(ctx -> {
                            DemoInput.apply(ctx);
                            ctx.tools().call("coin", Map.of("attempt", ctx.attempt()), () -> "heads");
                            return Map.of("attempt", ctx.attempt());
                        }))
                .build();
    }
}
