package io.durableruns.ports.out;

import io.durableruns.ports.model.GraphVersionRecord;
import java.util.List;
import java.util.Optional;

/** The graph versions this store has seen, with their fingerprints. */
public interface GraphVersionRepository {

    Optional<GraphVersionRecord> find(String name, int version);

    /** Records a version unless it is known; returns whether it was inserted. */
    boolean insertIfAbsent(GraphVersionRecord record);

    List<GraphVersionRecord> list();
}
