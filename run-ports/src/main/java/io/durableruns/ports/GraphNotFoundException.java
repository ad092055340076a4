package io.durableruns.ports;

/** A run was requested for a graph name or version that is not registered. */
public final class GraphNotFoundException extends RunsException {
    private static final long serialVersionUID = 1L;
    private final String graph;
    private final Integer version;

    public GraphNotFoundException(String graph, Integer version) {
        super(
                version == null
                        ? "No graph named '" + graph + "' is registered"
                        : "Graph '" + graph + "' has no registered version " + version);
        this.graph = graph;
        this.version = version;
    }

    public String graph() {
        return graph;
    }

    /** The requested version, or {@code null} when the newest version was requested. */
    public Integer version() {
        return version;
    }
}
