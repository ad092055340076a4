package io.durableruns.core.graph;

import io.durableruns.ports.model.StepDescription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One step of a graph: its name, the steps it depends on, its handler, retry policy and timeout.
 *
 * <pre>{@code
 * StepDefinition.named("synthesize")
 *         .dependsOn("search-web", "search-papers")
 *         .retry(RetryPolicy.newBuilder().maxAttempts(3).build())
 *         .timeout(Duration.ofMinutes(2))
 *         .handler(ctx -> synthesize(ctx));
 * }</pre>
 */
public final class StepDefinition {
    private final String name;
    private final List<String> dependsOn;
    private final StepHandler handler;
    private final RetryPolicy retry;
    private final Duration timeout;

    StepDefinition(String name, List<String> dependsOn, StepHandler handler, RetryPolicy retry, Duration timeout) {
        this.name = name;
        this.dependsOn = List.copyOf(dependsOn);
        this.handler = handler;
        this.retry = retry;
        this.timeout = timeout;
    }

    /** Starts the definition of a step; the graph builder validates it. */
    public static Builder named(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public List<String> dependsOn() {
        return dependsOn;
    }

    public StepHandler handler() {
        return handler;
    }

    public RetryPolicy retry() {
        return retry;
    }

    public Duration timeout() {
        return timeout;
    }

    public StepDescription describe() {
        return new StepDescription(name, dependsOn, retry.describe(), timeout);
    }

    /** Collects the parts of a step; {@link StepGraph.Builder#step(Builder)} validates and adds it. */
    public static final class Builder {
        private final String name;
        private final List<String> dependsOn = new ArrayList<>();
        private StepHandler handler;
        private RetryPolicy retry;
        private Duration timeout;

        private Builder(String name) {
            this.name = name;
        }

        /** Steps that must succeed before this one starts. */
        public Builder dependsOn(String... steps) {
            dependsOn.addAll(Arrays.asList(steps));
            return this;
        }

        /** Steps that must succeed before this one starts. */
        public Builder dependsOn(List<String> steps) {
            dependsOn.addAll(steps);
            return this;
        }

        public Builder handler(StepHandler value) {
            this.handler = Objects.requireNonNull(value, "handler");
            return this;
        }

        /** The retry policy; the graph's default when not set. */
        public Builder retry(RetryPolicy value) {
            this.retry = Objects.requireNonNull(value, "retry");
            return this;
        }

        /** The longest one attempt may run; the graph's default when not set. */
        public Builder timeout(Duration value) {
            this.timeout = Objects.requireNonNull(value, "timeout");
            return this;
        }

        String name() {
            return name;
        }

        StepDefinition build(String graph, RetryPolicy defaultRetry, Duration defaultTimeout) {
            if (handler == null) {
                throw new GraphDefinitionException(graph, "step '" + name + "' has no handler");
            }
            Duration t = timeout == null ? defaultTimeout : timeout;
            if (t.isZero() || t.isNegative()) {
                throw new GraphDefinitionException(graph, "step '" + name + "' timeout must be positive, was " + t);
            }
            return new StepDefinition(name, dependsOn, handler, retry == null ? defaultRetry : retry, t);
        }
    }
}
