package io.durableruns.ports.out;

import io.durableruns.ports.model.DispatchIntent;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Dispatch intents: the outbox of the QStash relay and the queue of the local dispatcher. */
public interface IntentRepository {

    void insertAll(List<DispatchIntent> intents);

    /**
     * Takes up to {@code limit} intents due at or before {@code now}, earliest first, and deletes them; the runs
     * of the intents it returns are held until the transaction ends, as by {@link RunRepository#lock}. Intents
     * locked by another transaction, and intents whose run another transaction holds, are skipped (PostgreSQL
     * {@code FOR UPDATE SKIP LOCKED} on both rows), so concurrent callers never take the same intent and a claim
     * never waits for a run: a transaction that holds one run can claim from the queue without risking a
     * deadlock.
     */
    List<DispatchIntent> claimDue(Instant now, int limit);

    /**
     * Locks up to {@code limit} intents (due or not), oldest first, without deleting them, skipping intents
     * locked by another transaction. The QStash relay publishes them and then calls {@link #delete}.
     */
    List<DispatchIntent> lockOldest(int limit);

    /** Deletes intents by id; ids that do not exist are ignored. */
    void delete(Collection<String> intentIds);

    /** Whether an intent exists for one step. */
    boolean existsForStep(String runId, String step);

    /** Deletes every intent of one step; returns how many were deleted. */
    int deleteForStep(String runId, String step);

    /** Deletes every intent of one run; returns how many were deleted. */
    int deleteForRun(String runId);

    /** The earliest due time of any intent. */
    Optional<Instant> nextDueAt();

    /** How many intents exist (the queue depth). */
    long count();
}
