package io.durableruns.ports.out;

/**
 * The engine's persistence. Every engine operation is one call to {@link #inTransaction}: all its reads
 * and writes happen in that transaction, and either all of them commit or none do.
 *
 * <p>Implementations: the in-memory store of {@code run-core} and the JDBI stores of {@code adapter-jdbc}.
 * Isolation is at least READ COMMITTED; the engine relies on the compare-and-set methods of the
 * repositories (and row locks they take) rather than on stronger isolation. A
 * {@link io.durableruns.ports.StoreException} thrown from here means the transaction rolled back.
 *
 * <pre>{@code
 * int remaining = store.inTransaction(tx -> tx.runs().decrementSinksRemaining(runId));
 * }</pre>
 */
public interface RunStore {

    /**
     * Runs {@code work} in one transaction and commits it. When {@code work} throws, the transaction rolls
     * back and the exception is rethrown unchanged (a {@link io.durableruns.ports.RunsException} from the
     * engine must reach the caller as it is); only the store's own failures are wrapped in
     * {@link io.durableruns.ports.StoreException}. Transactions do not nest.
     */
    <R> R inTransaction(TransactionWork<R> work);

    /**
     * Runs {@code work} as {@link #inTransaction} does, for a caller who waits for it: a run's creation, a cancel,
     * a retry. A store whose writers queue for a single writer (SQLite) lets it go before the background work
     * queued there (the dispatcher's claims and commits), taking turns with that work when both wait, so that an
     * API call waits for at most one background transaction. The default runs it as {@link #inTransaction}.
     */
    default <R> R inInteractiveTransaction(TransactionWork<R> work) {
        return inTransaction(work);
    }

    /**
     * Runs {@code work}, which only reads, in one transaction. A store may run it without the write lock or
     * on connections of its own, so reads do not wait for writers (SQLite in WAL mode serves readers while
     * its single writer commits). The default runs it as {@link #inTransaction}.
     *
     * <pre>{@code
     * List<TimelineEvent> events = store.read(tx -> tx.timeline().findByRun(runId));
     * }</pre>
     */
    default <R> R read(TransactionWork<R> work) {
        return inTransaction(work);
    }

    /** Work done inside a store transaction. */
    @FunctionalInterface
    interface TransactionWork<R> {
        R apply(StoreTransaction tx);
    }
}
