package io.durableruns.core.engine;

import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.internal.Json;
import io.durableruns.ports.RunNotFoundException;
import io.durableruns.ports.RunStateConflictException;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepCursor;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.SweepResult;
import io.durableruns.ports.out.StoreTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands that change a run as a whole, and the sweeper: manual retry, cancel, giving a step up when
 * the queue could not deliver it, and the recovery of expired leases and stranded steps.
 */
final class RunCommands {
    private static final Logger log = LoggerFactory.getLogger(RunCommands.class);

    private final EngineSettings s;
    private final Failures failures;
    private final Queries queries;

    RunCommands(EngineSettings settings, Failures failures, Queries queries) {
        this.s = settings;
        this.failures = failures;
        this.queries = queries;
    }

    /** The queue gave up delivering a message: see {@code DeliverStepUseCase.giveUp}. */
    DeliveryOutcome giveUp(StepMessage message, String reason) {
        Instant now = s.now();
        List<DispatchIntent> intents = new ArrayList<>();
        List<String> failedGraph = new ArrayList<>();
        DeliveryOutcome outcome = s.store().inTransaction(tx -> {
            failedGraph.clear();
            intents.clear();
            RunRecord run = tx.runs().lock(message.runId()).orElse(null);
            StepRecord step = run == null
                    ? null
                    : tx.steps().find(run.id(), message.step()).orElse(null);
            if (step == null) {
                return new DeliveryOutcome.Ignored(message.runId(), message.step(), "no such run or step");
            }
            StepGraph graph = s.registry().find(run.graph(), run.version()).orElse(null);
            String stale = staleness(run, step, message.attempt(), graph);
            Events events = new Events(run.id());
            events.add(
                    now,
                    EventType.STEP_DELIVERY_GIVEN_UP,
                    step.name(),
                    message.attempt(),
                    stale == null ? Json.obj("reason", reason) : Json.obj("reason", reason, "ignored", stale));
            DeliveryOutcome o;
            if (stale != null) {
                o = new DeliveryOutcome.Ignored(run.id(), step.name(), stale);
            } else {
                StepError error = new StepError(
                        "DeliveryFailed",
                        "the queue gave up delivering attempt " + message.attempt() + ": " + reason,
                        "");
                o = failures.recordFailure(tx, run, graph, step, error, true, now, events, intents);
                if (o == null) {
                    throw new IllegalStateException("step " + step.name() + " of run " + run.id()
                            + " changed while this transaction held its run; this indicates a bug");
                }
                tx.intents().insertAll(intents);
                if (o instanceof DeliveryOutcome.Failed) {
                    failedGraph.add(run.graph());
                }
            }
            tx.timeline().append(events.list());
            return o;
        });
        if (!intents.isEmpty()) {
            s.signal().intentsCommitted(intents.get(0).dueAt());
        }
        failedGraph.forEach(graph -> s.observer().runFinished(graph, RunStatus.FAILED));
        return outcome;
    }

    /** Why a given-up message names an attempt that is over, or {@code null} when the step still waits for it. */
    private static String staleness(RunRecord run, StepRecord step, Integer attempt, StepGraph graph) {
        if (run.status().isTerminal()) {
            return "the run is " + run.status();
        }
        if (attempt == null) {
            return "the message names no attempt";
        }
        if (!step.status().isClaimable() || step.attempt() + 1 != attempt) {
            return "the message was for attempt " + attempt + "; the step is " + step.status() + " at attempt "
                    + step.attempt();
        }
        if (graph == null) {
            return "graph " + run.graph() + " v" + run.version() + " is not registered here";
        }
        return null;
    }

    RunDetails retry(String runId) {
        Queries.requireRunId(runId);
        Instant now = s.now();
        RunDetails details = s.store().inInteractiveTransaction(tx -> {
            RunRecord run = tx.runs().lock(runId).orElseThrow(() -> new RunNotFoundException(runId));
            if (run.status() != RunStatus.FAILED) {
                throw new RunStateConflictException(runId, run.status(), "retry", "only FAILED runs can be retried");
            }
            Events events = new Events(runId);
            events.add(now, EventType.RUN_RETRIED, null, null, null);
            List<DispatchIntent> intents = new ArrayList<>();
            for (StepRecord step : tx.steps().findByRun(runId)) {
                if (step.status() != StepStatus.FAILED && step.status() != StepStatus.CANCELLED) {
                    continue;
                }
                StepRecord next = StepChange.of(step).retried(now).build(now);
                RunStates.update(tx, step, next);
                if (next.status() == StepStatus.QUEUED) {
                    events.add(now, EventType.STEP_QUEUED, step.name(), null, Json.obj("manualRetry", true));
                    intents.add(s.intent(next, now, now));
                }
            }
            RunStates.set(tx, run, RunStatus.QUEUED, now, null);
            tx.intents().insertAll(intents);
            tx.timeline().append(events.list());
            return queries.details(tx, runId);
        });
        s.signal().intentsCommitted(now);
        return details;
    }

    RunDetails cancel(String runId) {
        Queries.requireRunId(runId);
        Instant now = s.now();
        RunDetails details = s.store().inInteractiveTransaction(tx -> {
            RunRecord run = tx.runs().lock(runId).orElseThrow(() -> new RunNotFoundException(runId));
            if (run.status().isTerminal()) {
                throw new RunStateConflictException(runId, run.status(), "cancel", "the run already finished");
            }
            Events events = new Events(runId);
            RunStates.finish(tx, run, RunStatus.CANCELLED, "run cancelled", now, events);
            events.add(now, EventType.RUN_CANCELLED, null, null, null);
            tx.timeline().append(events.list());
            return queries.details(tx, runId);
        });
        s.observer().runFinished(details.run().graph(), RunStatus.CANCELLED);
        return details;
    }

    /**
     * Recovers expired leases and stranded steps of the graph versions registered here, each in a transaction of
     * its own that holds its run. The scans page by keyset, so steps this engine skips (graph versions it does
     * not run) never hide the ones behind them.
     */
    SweepResult sweep() {
        Instant now = s.now();
        List<Instant> dues = new ArrayList<>();
        List<String> failedGraphs = new ArrayList<>();
        int expired = 0;
        for (StepRecord candidate :
                scan((tx, after) -> tx.steps().findExpiredLeases(now, after, s.sweepBatch()), StepRecord::leaseUntil)) {
            Recovery r = s.store().inTransaction(tx -> recoverExpired(tx, candidate, now));
            if (r != null) {
                expired++;
                dues.addAll(r.dues());
                if (r.failed()) {
                    failedGraphs.add(r.graph());
                }
            }
        }
        Instant dueBefore = now.minus(s.strandedGrace());
        int stranded = 0;
        for (StepRecord candidate :
                scan((tx, after) -> tx.steps().findStranded(dueBefore, after, s.sweepBatch()), StepRecord::dueAt)) {
            Instant due = s.store().inTransaction(tx -> recoverStranded(tx, candidate, dueBefore, now));
            if (due != null) {
                stranded++;
                dues.add(due);
            }
        }
        if (!dues.isEmpty()) {
            s.signal().intentsCommitted(dues.stream().min(Instant::compareTo).orElse(now));
        }
        failedGraphs.forEach(graph -> s.observer().runFinished(graph, RunStatus.FAILED));
        if (expired + stranded > 0) {
            log.info("Sweep recovered {} expired lease(s) and {} stranded step(s)", expired, stranded);
        }
        SweepResult result = new SweepResult(expired, stranded);
        s.observer().swept(result);
        return result;
    }

    /** What recovering one expired lease did. */
    private record Recovery(String graph, List<Instant> dues, boolean failed) {}

    /** One page of a sweeper's scan, read after a cursor. */
    @FunctionalInterface
    private interface Page {
        List<StepRecord> read(StoreTransaction tx, StepCursor after);
    }

    /** The candidates of a scan whose graph version is registered here, read page by page to the end. */
    private List<StepRecord> scan(Page page, Function<StepRecord, Instant> orderedBy) {
        List<StepRecord> found = new ArrayList<>();
        StepCursor after = null;
        while (true) {
            StepCursor from = after;
            List<StepRecord> rows = s.store().read(tx -> page.read(tx, from));
            Set<String> runnable = runnableRuns(rows);
            rows.stream().filter(r -> runnable.contains(r.runId())).forEach(found::add);
            if (rows.size() < s.sweepBatch()) {
                return found;
            }
            StepRecord last = rows.get(rows.size() - 1);
            after = new StepCursor(orderedBy.apply(last), last.runId(), last.name());
        }
    }

    /** The runs among {@code rows} whose graph version this engine has registered. */
    private Set<String> runnableRuns(List<StepRecord> rows) {
        Set<String> runIds = new HashSet<>();
        rows.forEach(r -> runIds.add(r.runId()));
        Set<String> runnable = new HashSet<>();
        s.store().read(tx -> {
            for (String id : runIds) {
                tx.runs()
                        .find(id)
                        .filter(run ->
                                s.registry().find(run.graph(), run.version()).isPresent())
                        .ifPresent(run -> runnable.add(id));
            }
            return null;
        });
        return runnable;
    }

    private Recovery recoverExpired(StoreTransaction tx, StepRecord candidate, Instant now) {
        RunRecord run = tx.runs().lock(candidate.runId()).orElse(null);
        if (run == null || run.status().isTerminal()) {
            return null;
        }
        StepRecord step = tx.steps().find(run.id(), candidate.name()).orElse(null);
        if (step == null
                || step.status() != StepStatus.RUNNING
                || step.attempt() != candidate.attempt()
                || step.leaseUntil() == null
                || !step.leaseUntil().isBefore(now)) {
            return null;
        }
        StepGraph graph = s.registry().find(run.graph(), run.version()).orElseThrow();
        Events events = new Events(run.id());
        List<DispatchIntent> intents = new ArrayList<>();
        DeliveryOutcome outcome = failures.expireLease(tx, run, graph, step, now, events, intents);
        if (outcome == null) {
            return null;
        }
        tx.timeline().append(events.list());
        tx.intents().insertAll(intents);
        return new Recovery(
                run.graph(),
                intents.stream().map(DispatchIntent::dueAt).toList(),
                outcome instanceof DeliveryOutcome.Failed);
    }

    /** Writes an intent for a ready step nobody will deliver; returns its due time, or null when it has one now. */
    private Instant recoverStranded(StoreTransaction tx, StepRecord candidate, Instant dueBefore, Instant now) {
        RunRecord run = tx.runs().lock(candidate.runId()).orElse(null);
        if (run == null || run.status().isTerminal()) {
            return null;
        }
        StepRecord step = tx.steps().find(run.id(), candidate.name()).orElse(null);
        if (step == null
                || !step.status().isClaimable()
                || step.dueAt() == null
                || !step.dueAt().isBefore(dueBefore)
                || tx.intents().existsForStep(run.id(), step.name())) {
            return null;
        }
        Instant due = step.dueAt().isBefore(now) ? now : step.dueAt();
        tx.intents().insertAll(List.of(s.intent(step, due, now)));
        return due;
    }
}
