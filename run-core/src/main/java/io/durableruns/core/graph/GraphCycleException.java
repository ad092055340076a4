package io.durableruns.core.graph;

import java.util.List;

/** The dependencies of a graph form a cycle; {@link #cycle()} lists its steps in order. */
public final class GraphCycleException extends GraphDefinitionException {
    private static final long serialVersionUID = 1L;
    private final List<String> cycle;

    public GraphCycleException(String graph, List<String> cycle) {
        super(
                graph,
                "steps form a cycle: " + String.join(" -> ", cycle)
                        + "; a step graph must be acyclic, remove one of these dependencies");
        this.cycle = List.copyOf(cycle);
    }

    public List<String> cycle() {
        return cycle;
    }
}
