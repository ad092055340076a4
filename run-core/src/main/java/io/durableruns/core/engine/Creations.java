package io.durableruns.core.engine;

import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.internal.Json;
import io.durableruns.ports.IdempotencyConflictException;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.CreateRunResult;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.RunRepository.IdempotencyReservation;
import io.durableruns.ports.out.StoreTransaction;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating runs, with group commit: creations that arrive while another is committing wait for it and then
 * commit together, in one transaction, and each caller returns only after the transaction holding its run has
 * committed. A lone caller commits at once, as if there were no batching; nothing waits for a timer.
 *
 * <p>One caller's failure cannot lose or block another's: a reused idempotency key with another request fails
 * that caller alone (the check writes nothing), and when a shared transaction fails for any other reason each of
 * its callers commits again in a transaction of its own, so every caller gets the outcome its own creation would
 * have had.
 *
 * <p>A caller's own list ({@link #createAll}) commits in a transaction of its own, all or none.
 */
final class Creations {
    private static final Logger log = LoggerFactory.getLogger(Creations.class);

    /** The most creations one transaction commits. */
    static final int MAX_BATCH = 64;

    private final EngineSettings s;
    private final Queries queries;
    private final Object lock = new Object();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private boolean committing;

    Creations(EngineSettings settings, Queries queries) {
        this.s = settings;
        this.queries = queries;
    }

    /** Creates the run (or finds the one its idempotency key names) and returns once that is committed. */
    CreateRunResult create(Request request) {
        List<Request> batch = awaitTurn(request);
        if (batch != null) {
            commit(batch);
        }
        if (request.state == State.ALONE) {
            s.store().inInteractiveTransaction(tx -> {
                write(tx, List.of(request));
                return null;
            });
        }
        if (request.failure != null) {
            throw request.failure;
        }
        return request.result;
    }

    /**
     * Creates the runs in one transaction of their own, all or none: the first failure rolls it back and is thrown.
     * The results are in the order of the requests.
     */
    List<CreateRunResult> createAll(List<Request> requests) {
        s.store().inInteractiveTransaction(tx -> {
            write(tx, requests);
            for (Request r : requests) {
                if (r.failure != null) {
                    throw r.failure;
                }
            }
            return null;
        });
        List<CreateRunResult> results = new ArrayList<>(requests.size());
        for (Request r : requests) {
            results.add(r.result);
        }
        return results;
    }

    /** How many creations wait for the transaction in progress (for tests). */
    int waitingCount() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    /**
     * Queues the request and waits until it has been committed by another caller, or until no transaction is in
     * progress: then this caller commits everything waiting, and gets that batch.
     */
    private List<Request> awaitTurn(Request request) {
        boolean interrupted = false;
        try {
            synchronized (lock) {
                waiting.add(request);
                while (request.state == State.WAITING) {
                    if (!committing) {
                        committing = true;
                        // Our own request first, so that whatever this caller meets, its own creation is decided.
                        waiting.remove(request);
                        List<Request> batch = new ArrayList<>();
                        batch.add(request);
                        while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
                            batch.add(waiting.poll());
                        }
                        return batch;
                    }
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // The wait lasts one transaction; the interrupt is kept for the caller.
                        interrupted = true;
                    }
                }
                return null;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Commits the batch; whatever happens, every request in it ends with an outcome or is sent to commit alone. */
    private void commit(List<Request> batch) {
        boolean committed = false;
        RuntimeException failure = null;
        try {
            s.store().inInteractiveTransaction(tx -> {
                write(tx, batch);
                return null;
            });
            committed = true;
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            synchronized (lock) {
                for (Request r : batch) {
                    if (committed) {
                        r.state = State.DONE;
                    } else if (batch.size() == 1 && failure != null) {
                        r.result = null;
                        r.failure = failure;
                        r.state = State.DONE;
                    } else {
                        // A failed shared transaction, or an Error on its way up: each caller tries alone.
                        r.state = State.ALONE;
                    }
                }
                committing = false;
                lock.notifyAll();
            }
        }
        if (failure != null && batch.size() > 1) {
            log.debug("A transaction of {} run creations failed; each commits alone", batch.size(), failure);
        }
    }

    /**
     * Writes the batch's runs in one transaction and sets each request's outcome. Runs without an idempotency key
     * are written with one statement per table; keyed ones one by one, in key order (so that two engines batching
     * the same keys cannot deadlock), each after its reservation.
     */
    private void write(StoreTransaction tx, List<Request> batch) {
        List<Request> plain = new ArrayList<>();
        List<Request> keyed = new ArrayList<>();
        for (Request r : batch) {
            r.result = null;
            r.failure = null;
            (r.command.idempotencyKey() == null ? plain : keyed).add(r);
        }
        insert(tx, plain);
        keyed.sort(Comparator.comparing(r -> r.command.idempotencyKey()));
        for (Request r : keyed) {
            Optional<IdempotencyReservation> earlier =
                    tx.runs().reserveIdempotencyKey(r.command.idempotencyKey(), r.requestHash, r.runId, r.now);
            if (earlier.isEmpty()) {
                insert(tx, List.of(r));
            } else if (earlier.get().requestHash().equals(r.requestHash)) {
                r.result = new CreateRunResult(queries.details(tx, earlier.get().runId()), false);
            } else {
                // The reservation wrote nothing: this caller fails, the other creations of the transaction go on.
                r.failure = new IdempotencyConflictException(
                        r.command.idempotencyKey(), earlier.get().runId());
            }
        }
    }

    /** Inserts the runs, their steps, their first intents and their first events, a statement per table. */
    private void insert(StoreTransaction tx, List<Request> requests) {
        if (requests.isEmpty()) {
            return;
        }
        List<RunRecord> runs = new ArrayList<>();
        List<StepRecord> steps = new ArrayList<>();
        List<DispatchIntent> intents = new ArrayList<>();
        List<TimelineEvent> events = new ArrayList<>();
        for (Request r : requests) {
            RunRecord run = new RunRecord(
                    r.runId,
                    r.graph.name(),
                    r.graph.version(),
                    RunStatus.QUEUED,
                    r.command.input(),
                    null,
                    r.command.idempotencyKey(),
                    r.graph.sinks().size(),
                    r.now,
                    r.now,
                    null);
            runs.add(run);
            Events runEvents = new Events(r.runId);
            runEvents.add(
                    r.now,
                    EventType.RUN_CREATED,
                    null,
                    null,
                    Json.obj(
                            "graph",
                            r.graph.name(),
                            "version",
                            r.graph.version(),
                            "fingerprint",
                            r.graph.fingerprint()));
            List<StepRecord> runSteps = new ArrayList<>();
            for (StepDefinition def : r.graph.steps()) {
                boolean root = def.dependsOn().isEmpty();
                StepRecord step = new StepRecord(
                        r.runId,
                        def.name(),
                        root ? StepStatus.QUEUED : StepStatus.PENDING,
                        0,
                        0,
                        def.dependsOn().size(),
                        def.dependsOn(),
                        null,
                        null,
                        root ? r.now : null,
                        null,
                        null,
                        null,
                        null,
                        r.now);
                runSteps.add(step);
                if (root) {
                    runEvents.add(r.now, EventType.STEP_QUEUED, def.name(), null, null);
                    intents.add(s.intent(step, r.now, r.now));
                }
            }
            steps.addAll(runSteps);
            events.addAll(runEvents.list());
            r.result = new CreateRunResult(new RunDetails(run, runSteps), true);
        }
        tx.runs().insertAll(runs);
        tx.steps().insertAll(steps);
        tx.intents().insertAll(intents);
        tx.timeline().append(events);
    }

    private enum State {
        /** Queued, or in a transaction that has not ended. */
        WAITING,
        /** Its outcome is set: a result or a failure. */
        DONE,
        /** Its shared transaction failed: its caller commits it in a transaction of its own. */
        ALONE
    }

    /**
     * One run's creation. Its state is guarded by {@code lock}; its outcome is written by the thread that commits
     * it before that thread sets the state, and read by its caller after it sees the state.
     */
    static final class Request {
        final StepGraph graph;
        final CreateRunCommand command;
        final String requestHash;
        final String runId;
        final Instant now;
        State state = State.WAITING;
        CreateRunResult result;
        RuntimeException failure;

        Request(StepGraph graph, CreateRunCommand command, String requestHash, String runId, Instant now) {
            this.graph = graph;
            this.command = command;
            this.requestHash = requestHash;
            this.runId = runId;
            this.now = now;
        }
    }
}
