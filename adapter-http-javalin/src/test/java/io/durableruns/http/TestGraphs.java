package io.durableruns.http;

import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The graphs the API tests run. */
final class TestGraphs {
    private TestGraphs() {}

    static GraphRegistry registry() {
        return new GraphRegistry()
                .register(demoV1())
                .register(demoV2())
                .register(flaky())
                .register(wobbly());
    }

    /** plan, then write: write records a tool call and stores the artifact spec.md. */
    static StepGraph demoV1() {
        return StepGraph.builder("demo", 1)
                .step("plan", ctx -> Map.of("topic", ctx.input().path("topic").asText("none")))
                .step("write", List.of("plan"), ctx -> {
                    String topic = ctx.output("plan").path("topic").asText();
                    ctx.tools()
                            .record(
                                    "search",
                                    Map.of("q", topic),
                                    List.of("hit-1"),
                                    null,
                                    Instant.parse("2026-01-01T00:00:00Z"),
                                    Duration.ofMillis(42));
                    ctx.artifacts().putText("spec.md", "text/markdown; charset=utf-8", "# " + topic);
                    return Map.of("words", 2);
                })
                .build();
    }

    /** The newest version of demo: a single step. */
    static StepGraph demoV2() {
        return StepGraph.builder("demo", 2).step("plan", ctx -> Map.of("v", 2)).build();
    }

    /** One step that fails for good on its first attempt. */
    static StepGraph flaky() {
        return StepGraph.builder("flaky", 1)
                .step(StepDefinition.named("explode")
                        .retry(RetryPolicy.noRetries())
                        .handler(ctx -> {
                            throw new IllegalStateException("boom");
                        }))
                .build();
    }

    /** One step that always fails with a retryable error: 3 attempts, 10 s apart. */
    static StepGraph wobbly() {
        return StepGraph.builder("wobbly", 1)
                .step(StepDefinition.named("wobble")
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofSeconds(10))
                                .multiplier(1)
                                .maxBackoff(Duration.ofSeconds(10))
                                .jitter(0)
                                .nonRetryable(IllegalArgumentException.class)
                                .build())
                        .handler(ctx -> {
                            throw new IOException("network down");
                        }))
                .build();
    }
}
