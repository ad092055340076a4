package io.durableruns.ports.out;

import io.durableruns.ports.model.StepCursor;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.StepSummary;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The steps of runs. */
public interface StepRepository {

    void insertAll(List<StepRecord> steps);

    /** The steps of a run, in the order they were inserted (the graph's topological order). */
    List<StepRecord> findByRun(String runId);

    Optional<StepRecord> find(String runId, String name);

    /**
     * The run's steps named in {@code names}, in the order they were inserted; a name the run has no step of is left
     * out. A claim reads its step and the steps it depends on this way, rather than every step of the run. The
     * default filters {@link #findByRun}; a store overrides it to read those rows alone.
     */
    default List<StepRecord> findByNames(String runId, Collection<String> names) {
        return findByRun(runId).stream().filter(s -> names.contains(s.name())).toList();
    }

    /**
     * The steps of several runs that are in one of {@code statuses}, in a few fields, for listings: each run's
     * steps in insertion order (the graph's topological order), runs in no particular order.
     *
     * <pre>{@code
     * List<StepSummary> failed = tx.steps().findSummaries(pageRunIds, Set.of(StepStatus.FAILED));
     * }</pre>
     */
    List<StepSummary> findSummaries(Collection<String> runIds, Set<StepStatus> statuses);

    /**
     * Compare-and-set: writes every mutable field of {@code next} (status, attempt, budgetBase,
     * pendingDeps, lease, dueAt, startedAt, finishedAt, output, error, updatedAt) only while the stored step
     * still has {@code expectedStatus} and {@code expectedAttempt}.
     *
     * @return {@code true} when the row matched and was updated; {@code false} when another transaction
     *     changed it first (the caller lost the race)
     */
    boolean update(StepRecord next, StepStatus expectedStatus, int expectedAttempt);

    /**
     * Atomically decrements the number of unfinished dependencies of a step (row-locked, so two concurrent
     * completions of its dependencies each see a distinct result and exactly one sees zero).
     *
     * @return the step after the decrement (PostgreSQL: {@code UPDATE ... RETURNING})
     */
    StepRecord decrementPendingDeps(String runId, String name);

    /** RUNNING steps leased to {@code owner}. */
    List<StepRecord> findLeasedBy(String owner);

    /**
     * RUNNING steps of unfinished runs whose lease expired before {@code now}, ordered by lease expiry, run id and
     * step name, strictly after {@code after} when it is not null (a keyset page: a sweeper that skips some rows
     * still reaches the ones behind them).
     */
    List<StepRecord> findExpiredLeases(Instant now, StepCursor after, int limit);

    /**
     * QUEUED or RETRYING steps of unfinished runs that have no dispatch intent and were due before {@code
     * dueBefore}: ready work nobody will deliver unless the sweeper writes a new intent for it. Ordered by due
     * time, run id and step name, strictly after {@code after} when it is not null.
     */
    List<StepRecord> findStranded(Instant dueBefore, StepCursor after, int limit);
}
