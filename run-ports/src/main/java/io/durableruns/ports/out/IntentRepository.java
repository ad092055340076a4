package io.durableruns.ports.out;

import io.durableruns.ports.model.DispatchIntent;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Dispatch intents: the queue of the local transport and the outbox of a push transport. */
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
     * Leases up to {@code limit} intents to {@code owner} until {@code until}, oldest first, whatever their due
     * time: intents not leased, or whose lease ran out at {@code now}. Rows other transactions hold are skipped
     * (PostgreSQL {@code FOR UPDATE SKIP LOCKED}). The lease is written in this transaction; an outbox relay
     * commits it before it publishes, so it never publishes inside a transaction.
     */
    List<DispatchIntent> lease(String owner, Instant now, Instant until, int limit);

    /** Offers leased intents again at {@code at} (now, to give them back; later, to retry a failed publish). */
    void releaseUntil(Collection<String> intentIds, Instant at);

    /** One intent by id. */
    Optional<DispatchIntent> find(String intentId);

    /**
     * When an intent can next be leased: the creation time of the oldest one not leased (so at or before now), else
     * the earliest lease expiry; empty when there are no intents.
     */
    Optional<Instant> nextLeasableAt();

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
