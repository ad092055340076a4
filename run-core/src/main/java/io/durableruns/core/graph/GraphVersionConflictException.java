package io.durableruns.core.graph;

import io.durableruns.ports.RunsException;

/**
 * A graph was registered under a (name, version) already known with a different structure. Runs are pinned
 * to the version they were created with, so a changed structure needs a new version number.
 */
public final class GraphVersionConflictException extends RunsException {
    private static final long serialVersionUID = 1L;
    private final String graph;
    private final int version;
    private final String knownFingerprint;
    private final String newFingerprint;

    public GraphVersionConflictException(String graph, int version, String knownFingerprint, String newFingerprint) {
        super("Graph '" + graph + "' version " + version + " changed structure (fingerprint " + knownFingerprint
                + " is now " + newFingerprint + "). Runs are pinned to the version they started on: bump the"
                + " version to " + (version + 1) + " and keep the old definition registered while its runs finish.");
        this.graph = graph;
        this.version = version;
        this.knownFingerprint = knownFingerprint;
        this.newFingerprint = newFingerprint;
    }

    public String graph() {
        return graph;
    }

    public int version() {
        return version;
    }

    public String knownFingerprint() {
        return knownFingerprint;
    }

    public String newFingerprint() {
        return newFingerprint;
    }
}
