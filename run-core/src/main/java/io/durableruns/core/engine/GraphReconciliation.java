package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.core.graph.GraphVersionConflictException;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.ports.model.GraphVersionRecord;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.RetryPolicyDescription;
import io.durableruns.ports.model.StepDescription;
import io.durableruns.ports.out.StoreTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the registered graph versions with those recorded in the store: unknown versions are recorded,
 * a known version with another structure is refused, and unfinished runs of versions nobody registered are
 * reported.
 */
public final class GraphReconciliation {
    private static final Logger log = LoggerFactory.getLogger(GraphReconciliation.class);

    private final EngineSettings s;

    GraphReconciliation(EngineSettings settings) {
        this.s = settings;
    }

    /**
     * What reconciliation found.
     *
     * @param recorded versions recorded in the store for the first time
     * @param unregisteredWithUnfinishedRuns versions that have unfinished runs but are not registered here
     */
    public record Report(List<GraphVersionRef> recorded, List<GraphVersionRef> unregisteredWithUnfinishedRuns) {
        static final Report EMPTY = new Report(List.of(), List.of());
    }

    Report reconcile() {
        return s.store().inTransaction(tx -> {
            List<GraphVersionRef> recorded = new ArrayList<>();
            for (StepGraph graph : s.registry().all()) {
                if (record(tx, graph)) {
                    recorded.add(new GraphVersionRef(graph.name(), graph.version()));
                }
            }
            List<GraphVersionRef> orphans = new ArrayList<>();
            for (GraphVersionRef ref : tx.runs().unfinishedGraphVersions()) {
                if (s.registry().find(ref.graph(), ref.version()).isEmpty()) {
                    orphans.add(ref);
                }
            }
            if (!orphans.isEmpty()) {
                log.warn(
                        "Unfinished runs use graph versions that are not registered in this process: {}."
                                + " Register those versions so their runs can finish, or cancel the runs.",
                        orphans);
            }
            return new Report(recorded, orphans);
        });
    }

    /**
     * Records {@code graph}'s version unless it is known, and refuses it when the known one has another
     * structure; returns whether it was recorded. Another process starting at the same moment can record the
     * version between the read and the insert: the lost insert is followed by a second read, so that process's
     * record is compared like any other.
     */
    private boolean record(StoreTransaction tx, StepGraph graph) {
        Optional<GraphVersionRecord> known = tx.graphVersions().find(graph.name(), graph.version());
        if (known.isEmpty()) {
            if (tx.graphVersions()
                    .insertIfAbsent(new GraphVersionRecord(
                            graph.name(), graph.version(), graph.fingerprint(), describe(graph), s.now()))) {
                return true;
            }
            known = tx.graphVersions().find(graph.name(), graph.version());
        }
        String fingerprint = known.orElseThrow(() -> new IllegalStateException("Graph '" + graph.name()
                        + "' version " + graph.version()
                        + " was neither inserted nor found; indicates a bug in the store's graph versions"))
                .fingerprint();
        if (!fingerprint.equals(graph.fingerprint())) {
            throw new GraphVersionConflictException(graph.name(), graph.version(), fingerprint, graph.fingerprint());
        }
        return false;
    }

    private static ObjectNode describe(StepGraph graph) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode()
                .put("name", graph.name())
                .put("version", graph.version())
                .put("fingerprint", graph.fingerprint());
        ArrayNode steps = root.putArray("steps");
        for (StepDescription d : graph.describe().steps()) {
            RetryPolicyDescription r = d.retry();
            ObjectNode step = steps.addObject()
                    .put("name", d.name())
                    .put("timeoutMs", d.timeout().toMillis());
            ArrayNode deps = step.putArray("dependsOn");
            d.dependsOn().forEach(deps::add);
            ObjectNode retry = step.putObject("retry")
                    .put("maxAttempts", r.maxAttempts())
                    .put("initialBackoffMs", r.initialBackoff().toMillis())
                    .put("multiplier", r.multiplier())
                    .put("maxBackoffMs", r.maxBackoff().toMillis())
                    .put("jitter", r.jitter());
            ArrayNode nr = retry.putArray("nonRetryable");
            r.nonRetryable().forEach(nr::add);
        }
        return root;
    }
}
