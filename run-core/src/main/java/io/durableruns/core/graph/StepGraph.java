package io.durableruns.core.graph;

import io.durableruns.ports.model.GraphDescription;
import io.durableruns.ports.model.Ids;
import io.durableruns.ports.model.StepDescription;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An explicit, versioned step graph: a DAG of named steps. Immutable once built; every structural error is
 * reported by {@link Builder#build()}.
 *
 * <pre>{@code
 * StepGraph graph = StepGraph.builder("research", 1)
 *         .step("plan", ctx -> Map.of("queries", List.of("durable execution")))
 *         .step("search-web", List.of("plan"), ctx -> searchWeb(ctx.output("plan")))
 *         .step("search-papers", List.of("plan"), ctx -> searchPapers(ctx.output("plan")))
 *         .step(StepDefinition.named("synthesize")
 *                 .dependsOn("search-web", "search-papers")
 *                 .retry(RetryPolicy.newBuilder().maxAttempts(3).build())
 *                 .handler(ctx -> synthesize(ctx)))
 *         .build();
 * }</pre>
 */
public final class StepGraph {
    private final String name;
    private final int version;
    private final Map<String, StepDefinition> steps; // topological order
    private final Map<String, List<String>> successors;
    private final String fingerprint;

    private StepGraph(String name, int version, Map<String, StepDefinition> steps) {
        this.name = name;
        this.version = version;
        this.steps = Collections.unmodifiableMap(steps);
        Map<String, List<String>> succ = new HashMap<>();
        for (StepDefinition s : steps.values()) {
            succ.putIfAbsent(s.name(), new ArrayList<>());
            for (String dep : s.dependsOn()) {
                succ.computeIfAbsent(dep, k -> new ArrayList<>()).add(s.name());
            }
        }
        succ.replaceAll((k, v) -> List.copyOf(v));
        this.successors = Map.copyOf(succ);
        this.fingerprint = computeFingerprint();
    }

    /** Starts a graph definition. Names match {@code [a-z0-9][a-z0-9_-]*}; versions start at 1. */
    public static Builder builder(String name, int version) {
        return new Builder(name, version);
    }

    public String name() {
        return name;
    }

    public int version() {
        return version;
    }

    /** The steps in a topological order (every step after its dependencies). */
    public List<StepDefinition> steps() {
        return List.copyOf(steps.values());
    }

    /** The step with this name. @throws IllegalArgumentException when there is none */
    public StepDefinition step(String stepName) {
        StepDefinition s = steps.get(stepName);
        if (s == null) {
            throw new IllegalArgumentException("Graph '" + name + "' v" + version + " has no step '" + stepName + "'");
        }
        return s;
    }

    public boolean hasStep(String stepName) {
        return steps.containsKey(stepName);
    }

    /** The steps that depend directly on {@code stepName}. */
    public List<String> successors(String stepName) {
        return successors.getOrDefault(stepName, List.of());
    }

    /** Steps without dependencies: they start when the run is created. */
    public List<StepDefinition> roots() {
        return steps.values().stream().filter(s -> s.dependsOn().isEmpty()).toList();
    }

    /** Steps nothing depends on: their outputs form the run's output. */
    public List<StepDefinition> sinks() {
        return steps.values().stream()
                .filter(s -> successors(s.name()).isEmpty())
                .toList();
    }

    /**
     * A stable hash of the structure: step names, dependencies, retry policies and timeouts (not handler
     * code). Two definitions with the same fingerprint run the same way.
     */
    public String fingerprint() {
        return fingerprint;
    }

    public GraphDescription describe() {
        List<StepDescription> descs =
                steps.values().stream().map(StepDefinition::describe).toList();
        return new GraphDescription(name, version, fingerprint, descs);
    }

    private String computeFingerprint() {
        StringBuilder canonical = new StringBuilder();
        canonical
                .append("graph=")
                .append(name)
                .append(";version=")
                .append(version)
                .append('\n');
        Map<String, StepDefinition> sorted = new TreeMap<>(steps);
        for (StepDefinition s : sorted.values()) {
            var r = s.retry().describe();
            canonical
                    .append("step=")
                    .append(s.name())
                    .append(";deps=")
                    .append(String.join(",", s.dependsOn().stream().sorted().toList()))
                    .append(";maxAttempts=")
                    .append(r.maxAttempts())
                    .append(";initialBackoffMs=")
                    .append(r.initialBackoff().toMillis())
                    .append(";multiplier=")
                    .append(r.multiplier())
                    .append(";maxBackoffMs=")
                    .append(r.maxBackoff().toMillis())
                    .append(";jitter=")
                    .append(r.jitter())
                    .append(";nonRetryable=")
                    .append(String.join(",", r.nonRetryable()))
                    .append(";timeoutMs=")
                    .append(s.timeout().toMillis())
                    .append('\n');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM; indicates a broken runtime", e);
        }
    }

    @Override
    public String toString() {
        return "StepGraph[" + name + " v" + version + ", " + steps.size() + " steps, " + fingerprint + "]";
    }

    /** Collects steps; {@link #build()} validates the whole graph. */
    public static final class Builder {
        private final String name;
        private final int version;
        private final List<StepDefinition.Builder> steps = new ArrayList<>();
        private RetryPolicy defaultRetry = RetryPolicy.defaults();
        private Duration defaultTimeout = Duration.ofMinutes(5);

        private Builder(String name, int version) {
            this.name = name;
            this.version = version;
        }

        /** A step without dependencies. */
        public Builder step(String stepName, StepHandler handler) {
            return step(StepDefinition.named(stepName).handler(handler));
        }

        /** A step that runs after all of {@code dependsOn} succeeded. */
        public Builder step(String stepName, List<String> dependsOn, StepHandler handler) {
            return step(StepDefinition.named(stepName).dependsOn(dependsOn).handler(handler));
        }

        /** A step with every option (dependencies, retry policy, timeout). */
        public Builder step(StepDefinition.Builder step) {
            steps.add(step);
            return this;
        }

        /** The retry policy of steps that set none (default {@link RetryPolicy#defaults()}). */
        public Builder defaultRetry(RetryPolicy policy) {
            this.defaultRetry = policy;
            return this;
        }

        /** The timeout of steps that set none (default 5 minutes). */
        public Builder defaultTimeout(Duration timeout) {
            this.defaultTimeout = timeout;
            return this;
        }

        /**
         * Validates and builds the graph.
         *
         * @throws GraphCycleException when dependencies form a cycle
         * @throws GraphDefinitionException for any other error, with a message that names it
         */
        public StepGraph build() {
            if (!Ids.isName(name)) {
                throw new GraphDefinitionException(
                        name,
                        "invalid graph name: it must match " + Ids.NAME.pattern() + " and be at most "
                                + Ids.MAX_NAME_LENGTH + " characters");
            }
            if (version < 1) {
                throw new GraphDefinitionException(name, "version must be a positive integer, was " + version);
            }
            if (steps.isEmpty()) {
                throw new GraphDefinitionException(name, "a graph needs at least one step");
            }
            if (defaultRetry == null) {
                throw new GraphDefinitionException(name, "defaultRetry must not be null");
            }
            if (defaultTimeout == null || defaultTimeout.isZero() || defaultTimeout.isNegative()) {
                throw new GraphDefinitionException(name, "defaultTimeout must be positive, was " + defaultTimeout);
            }
            Map<String, StepDefinition> byName = new LinkedHashMap<>();
            for (StepDefinition.Builder b : steps) {
                String stepName = b.name();
                if (!Ids.isName(stepName)) {
                    throw new GraphDefinitionException(
                            name,
                            "invalid step name '" + stepName + "': it must match " + Ids.NAME.pattern()
                                    + " and be at most " + Ids.MAX_NAME_LENGTH + " characters");
                }
                if (byName.containsKey(stepName)) {
                    throw new GraphDefinitionException(name, "duplicate step name '" + stepName + "'");
                }
                byName.put(stepName, b.build(name, defaultRetry, defaultTimeout));
            }
            for (StepDefinition s : byName.values()) {
                Set<String> seen = new HashSet<>();
                for (String dep : s.dependsOn()) {
                    if (!byName.containsKey(dep)) {
                        throw new GraphDefinitionException(
                                name, "step '" + s.name() + "' depends on unknown step '" + dep + "'");
                    }
                    if (!seen.add(dep)) {
                        throw new GraphDefinitionException(
                                name, "step '" + s.name() + "' lists dependency '" + dep + "' twice");
                    }
                }
            }
            return new StepGraph(name, version, topologicalOrder(byName));
        }

        /** Kahn's algorithm, stable in declaration order; reports a cycle by its steps when one exists. */
        private Map<String, StepDefinition> topologicalOrder(Map<String, StepDefinition> byName) {
            Map<String, Integer> indegree = new LinkedHashMap<>();
            Map<String, List<String>> succ = new HashMap<>();
            for (StepDefinition s : byName.values()) {
                indegree.put(s.name(), s.dependsOn().size());
                for (String dep : s.dependsOn()) {
                    succ.computeIfAbsent(dep, k -> new ArrayList<>()).add(s.name());
                }
            }
            Deque<String> ready = new ArrayDeque<>();
            indegree.forEach((k, v) -> {
                if (v == 0) {
                    ready.add(k);
                }
            });
            Map<String, StepDefinition> ordered = new LinkedHashMap<>();
            while (!ready.isEmpty()) {
                String next = ready.poll();
                ordered.put(next, byName.get(next));
                for (String s : succ.getOrDefault(next, List.of())) {
                    if (indegree.merge(s, -1, Integer::sum) == 0) {
                        ready.add(s);
                    }
                }
            }
            if (ordered.size() != byName.size()) {
                throw new GraphCycleException(name, findCycle(byName, ordered.keySet()));
            }
            return ordered;
        }

        private static List<String> findCycle(Map<String, StepDefinition> byName, Set<String> acyclic) {
            // Every remaining step has a dependency among the remaining steps: walk dependencies until one repeats.
            String start = byName.keySet().stream()
                    .filter(s -> !acyclic.contains(s))
                    .findFirst()
                    .orElseThrow();
            List<String> path = new ArrayList<>();
            Map<String, Integer> position = new HashMap<>();
            String current = start;
            while (!position.containsKey(current)) {
                position.put(current, path.size());
                path.add(current);
                current = byName.get(current).dependsOn().stream()
                        .filter(d -> !acyclic.contains(d))
                        .findFirst()
                        .orElseThrow();
            }
            List<String> cycle = new ArrayList<>(path.subList(position.get(current), path.size()));
            Collections.reverse(cycle); // dependency order: a -> b means b depends on a
            cycle.add(cycle.get(0));
            return cycle;
        }
    }
}
