package io.durableruns.core.contract;

import io.durableruns.ports.model.GraphVersionRecord;
import io.durableruns.ports.out.GraphVersionRepository;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Two processes starting at once, made deterministic: a store on which another process records {@code rival}
 * after this one found its graph version absent and before this one inserts it.
 */
final class GraphVersionRace {
    private final RunStore store;
    private final AtomicBoolean raced = new AtomicBoolean();

    /**
     * @param recordMeanwhile records the rival, given this process's open transaction: in it on a store that
     *     serializes transactions, in a transaction of its own where transactions can interleave
     */
    GraphVersionRace(
            RunStore store,
            GraphVersionRecord rival,
            BiConsumer<StoreTransaction, GraphVersionRecord> recordMeanwhile) {
        this.store = Intercepted.store(
                store,
                tx -> Intercepted.method(
                        StoreTransaction.class,
                        tx,
                        "graphVersions",
                        versions -> Intercepted.method(
                                GraphVersionRepository.class,
                                (GraphVersionRepository) versions.proceed(),
                                "insertIfAbsent",
                                insert -> {
                                    if (raced.compareAndSet(false, true)) {
                                        recordMeanwhile.accept(tx, rival);
                                    }
                                    return insert.proceed();
                                })));
    }

    /** The store to build the starting engine on. */
    RunStore store() {
        return store;
    }

    /** Whether the rival was recorded. */
    boolean raced() {
        return raced.get();
    }
}
