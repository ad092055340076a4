package io.durableruns.ports.model;

/** A graph name and version. */
public record GraphVersionRef(String graph, int version) {
    @Override
    public String toString() {
        return graph + " v" + version;
    }
}
