package io.durableruns.ports.out;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.RunCursor;
import io.durableruns.ports.model.RunFilter;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs, and the idempotency keys they were created with. */
public interface RunRepository {

    void insert(RunRecord run);

    /** Inserts several runs; stores that can write them in one statement do. */
    default void insertAll(List<RunRecord> runs) {
        for (RunRecord run : runs) {
            insert(run);
        }
    }

    Optional<RunRecord> find(String runId);

    /**
     * Reads the run and holds it until the transaction ends: while it is held, no other transaction changes the
     * run or any of its steps. Every transaction that changes a run's status, or a step in a way that can change
     * it, calls this first (or holds the run through {@link IntentRepository#claimDue}), so run-level commands
     * and step commits of one run never interleave. PostgreSQL: {@code SELECT … FOR UPDATE} on the run row;
     * stores whose transactions already run one at a time (SQLite's single writer, the in-memory store) read it.
     *
     * <pre>{@code
     * RunRecord run = tx.runs().lock(runId).orElseThrow(() -> new RunNotFoundException(runId));
     * }</pre>
     */
    Optional<RunRecord> lock(String runId);

    /**
     * Reserves an idempotency key for a run about to be created, atomically: of two transactions reserving
     * the same key, exactly one gets {@link Optional#empty()}; the other waits for it and then sees its
     * reservation.
     *
     * @param requestHash a hash of the request, to tell a repeat from a conflicting reuse
     * @return empty when this call reserved the key; otherwise the earlier reservation
     */
    Optional<IdempotencyReservation> reserveIdempotencyKey(String key, String requestHash, String runId, Instant at);

    /**
     * Compare-and-set of the run status. The engine calls it only while it holds the run ({@link #lock}), so a
     * {@code false} there indicates a bug. Sets {@code updatedAt}; sets {@code finishedAt} to {@code at} when
     * {@code next} is terminal and clears it otherwise; sets the output when {@code output} is not null.
     *
     * @return {@code true} when the run was in {@code expected} and was updated
     */
    boolean updateStatus(String runId, RunStatus expected, RunStatus next, Instant at, JsonNode output);

    /**
     * Atomically decrements the number of sink steps that have not succeeded yet (row-locked, so of two sinks
     * succeeding at once exactly one sees zero).
     *
     * @return the number remaining after the decrement
     */
    int decrementSinksRemaining(String runId);

    /**
     * One page of runs, newest first ({@code createdAt} descending, then id descending), strictly after
     * {@code after} when it is not null.
     */
    List<RunRecord> list(RunFilter filter, RunCursor after, int limit);

    /** The graph versions of runs that have not finished. */
    List<GraphVersionRef> unfinishedGraphVersions();

    /**
     * Counts runs per status, of one graph when {@code graph} is not null, stopping at {@code cap} runs per
     * status so that the cost does not grow with the number of finished runs kept.
     *
     * <pre>{@code
     * Map<RunStatus, Long> counts = tx.runs().countByStatus("research", 10_000);
     * }</pre>
     *
     * @return a count from 0 to {@code cap} for each status that has runs; statuses without runs may be absent
     */
    Map<RunStatus, Long> countByStatus(String graph, long cap);

    /** How many runs have not finished, per graph version; versions without unfinished runs are absent. */
    Map<GraphVersionRef, Long> countUnfinishedByGraphVersion();

    /** An existing reservation of an idempotency key. */
    record IdempotencyReservation(String key, String requestHash, String runId) {}
}
