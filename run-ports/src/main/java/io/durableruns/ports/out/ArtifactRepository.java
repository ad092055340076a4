package io.durableruns.ports.out;

import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.ArtifactSummary;
import java.util.List;
import java.util.Optional;

/** Artifacts, unique per (run, step, key). */
public interface ArtifactRepository {

    /** Inserts the artifact unless one with the same (run, step, key) exists; returns whether it did. */
    boolean insertIfAbsent(ArtifactRecord artifact);

    /** The artifacts of a run without their content, by step then key. */
    List<ArtifactSummary> list(String runId);

    Optional<ArtifactRecord> find(String runId, String step, String key);
}
