package io.durableruns.ports.in;

import io.durableruns.ports.model.GraphDescription;
import java.util.List;
import java.util.Optional;

/** The registered graph versions. */
public interface GraphCatalogUseCase {
    /** Every registered version of every graph, by name then version. */
    List<GraphDescription> graphs();

    Optional<GraphDescription> graph(String name, int version);
}
