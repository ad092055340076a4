package io.durableruns.core.graph;

import io.durableruns.ports.RunsException;

/**
 * A step graph or one of its policies is invalid: a cycle, an unknown dependency, a duplicate or invalid
 * name, an empty graph, a non-positive attempt count or timeout. Thrown by the builders at build time, so a
 * graph that builds never fails for these reasons at run time. Fix the definition; do not catch it.
 */
public class GraphDefinitionException extends RunsException {
    private static final long serialVersionUID = 1L;
    private final String graph;

    public GraphDefinitionException(String graph, String message) {
        super(graph == null ? message : "Graph '" + graph + "': " + message);
        this.graph = graph;
    }

    /** The graph concerned, or {@code null} when the error is in a policy built on its own. */
    public String graph() {
        return graph;
    }
}
