package io.durableruns.core.graph;

import io.durableruns.ports.GraphNotFoundException;
import io.durableruns.ports.model.GraphDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The graph versions an engine can run: several versions of several graphs. Thread-safe.
 *
 * <pre>{@code
 * GraphRegistry registry = new GraphRegistry().register(researchV1).register(researchV2);
 * StepGraph newest = registry.resolve("research", null);
 * }</pre>
 */
public final class GraphRegistry {
    private final Map<String, NavigableMap<Integer, StepGraph>> graphs = new ConcurrentHashMap<>();

    /**
     * Registers a graph version. Registering the same structure again is a no-op (the new handlers are
     * kept).
     *
     * @throws GraphVersionConflictException when this (name, version) is known with another structure
     */
    public synchronized GraphRegistry register(StepGraph graph) {
        NavigableMap<Integer, StepGraph> versions =
                graphs.computeIfAbsent(graph.name(), k -> new ConcurrentSkipListMap<>());
        StepGraph known = versions.get(graph.version());
        if (known != null && !known.fingerprint().equals(graph.fingerprint())) {
            throw new GraphVersionConflictException(
                    graph.name(), graph.version(), known.fingerprint(), graph.fingerprint());
        }
        versions.put(graph.version(), graph);
        return this;
    }

    public Optional<StepGraph> find(String name, int version) {
        NavigableMap<Integer, StepGraph> versions = graphs.get(name);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
    }

    /**
     * The given version of a graph, or its newest version when {@code version} is null.
     *
     * @throws GraphNotFoundException when there is no such graph or version
     */
    public StepGraph resolve(String name, Integer version) {
        NavigableMap<Integer, StepGraph> versions = graphs.get(name);
        if (versions == null || versions.isEmpty()) {
            throw new GraphNotFoundException(name, version);
        }
        StepGraph g = version == null ? versions.lastEntry().getValue() : versions.get(version);
        if (g == null) {
            throw new GraphNotFoundException(name, version);
        }
        return g;
    }

    /** Every registered version, by name then version. */
    public List<StepGraph> all() {
        List<StepGraph> out = new ArrayList<>();
        new TreeMap<>(graphs).values().forEach(v -> out.addAll(v.values()));
        return out;
    }

    public List<GraphDescription> describe() {
        return all().stream().map(StepGraph::describe).toList();
    }
}
