package io.durableruns.core.contract;

import io.durableruns.ports.model.GraphVersionRecord;
import io.durableruns.ports.out.GraphVersionRepository;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Two processes starting at once, made deterministic: a store on which another process records
 * {@code rival} after this one found its graph version absent and before this one inserts it.
 */
final class GraphVersionRace implements RunStore {
    private final RunStore store;
    private final GraphVersionRecord rival;
    private final BiConsumer<StoreTransaction, GraphVersionRecord> recordMeanwhile;
    private final AtomicBoolean raced = new AtomicBoolean();

    /**
     * @param recordMeanwhile records the rival, given this process's open transaction: in it on a store
     *     that serializes transactions, in a transaction of its own where transactions can interleave
     */
    GraphVersionRace(
            RunStore store,
            GraphVersionRecord rival,
            BiConsumer<StoreTransaction, GraphVersionRecord> recordMeanwhile) {
        this.store = store;
        this.rival = rival;
        this.recordMeanwhile = recordMeanwhile;
    }

    /** Whether the rival was recorded. */
    boolean raced() {
        return raced.get();
    }

    @Override
    public <R> R inTransaction(TransactionWork<R> work) {
        return store.inTransaction(tx -> work.apply(racing(tx)));
    }

    /** {@code tx} with its graph versions replaced by {@link Racing}; every other call goes to {@code tx}. */
    private StoreTransaction racing(StoreTransaction tx) {
        GraphVersionRepository versions = new Racing(tx);
        return (StoreTransaction) Proxy.newProxyInstance(
                StoreTransaction.class.getClassLoader(),
                new Class<?>[] {StoreTransaction.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("graphVersions")) {
                        return versions;
                    }
                    try {
                        return method.invoke(tx, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The graph versions of {@code tx}, with the rival recorded just before this process's insert. */
    private final class Racing implements GraphVersionRepository {
        private final StoreTransaction tx;
        private final GraphVersionRepository versions;

        Racing(StoreTransaction tx) {
            this.tx = tx;
            this.versions = tx.graphVersions();
        }

        @Override
        public Optional<GraphVersionRecord> find(String name, int version) {
            return versions.find(name, version);
        }

        @Override
        public boolean insertIfAbsent(GraphVersionRecord record) {
            if (record.name().equals(rival.name())
                    && record.version() == rival.version()
                    && raced.compareAndSet(false, true)) {
                recordMeanwhile.accept(tx, rival);
            }
            return versions.insertIfAbsent(record);
        }

        @Override
        public List<GraphVersionRecord> list() {
            return versions.list();
        }
    }
}
