package io.durableruns.ports.out;

import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.LinkCommit;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import java.util.List;
import java.util.Optional;

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

    /**
     * Commits a chain link (a step's success and the claim of its successor) in one transaction, all or nothing.
     * It first takes the run ({@link RunRepository#lock}) and checks, writing nothing when any check fails, that
     * the run has not finished, that the successor is {@link StepStatus#PENDING} waiting for this step alone (one
     * pending dependency) and that the step is still {@link StepStatus#RUNNING} in {@link
     * LinkCommit#expectedAttempt}. Then it writes what the engine's general commit writes for such a link: the
     * step as {@link LinkCommit#succeeded}, the attempt's artifacts (each unless the step has one with its key)
     * and tool calls, the successor as {@link LinkCommit#claimed}, and two timeline events, the step's {@link
     * EventType#STEP_SUCCEEDED} and the successor's {@link EventType#STEP_STARTED}.
     *
     * <p>The default does this with the repositories in {@link #inTransaction}. A store that can do it in one
     * round trip overrides it (PostgreSQL: one function call that commits on its own).
     *
     * @return the successor as claimed; empty when a check failed and nothing was written, and the caller commits
     *     the step the general way, which then finds out what changed
     */
    default Optional<StepRecord> commitLink(LinkCommit link) {
        return inTransaction(tx -> {
            Optional<RunRecord> run = tx.runs().lock(link.runId());
            if (run.isEmpty() || run.get().status().isTerminal()) {
                return Optional.empty();
            }
            StepRecord done = link.succeeded();
            Optional<StepRecord> next = tx.steps().find(done.runId(), link.successor());
            if (next.isEmpty()
                    || next.get().status() != StepStatus.PENDING
                    || next.get().pendingDeps() != 1) {
                return Optional.empty();
            }
            if (!tx.steps().update(done, StepStatus.RUNNING, link.expectedAttempt())) {
                return Optional.empty();
            }
            link.artifacts().forEach(tx.artifacts()::insertIfAbsent);
            tx.toolCalls().insertAll(link.toolCalls());
            StepRecord claimed = link.claimed(next.get());
            if (!tx.steps().update(claimed, StepStatus.PENDING, next.get().attempt())) {
                throw new IllegalStateException("step " + claimed.name() + " of run " + claimed.runId()
                        + " changed while this transaction held its run; this indicates a bug");
            }
            tx.timeline()
                    .append(List.of(
                            new TimelineEvent(
                                    0,
                                    done.runId(),
                                    link.at(),
                                    EventType.STEP_SUCCEEDED,
                                    done.name(),
                                    link.expectedAttempt(),
                                    link.succeededData()),
                            new TimelineEvent(
                                    0,
                                    done.runId(),
                                    link.at(),
                                    EventType.STEP_STARTED,
                                    claimed.name(),
                                    claimed.attempt(),
                                    link.startedData())));
            return Optional.of(claimed);
        });
    }

    /** Work done inside a store transaction. */
    @FunctionalInterface
    interface TransactionWork<R> {
        R apply(StoreTransaction tx);
    }
}
