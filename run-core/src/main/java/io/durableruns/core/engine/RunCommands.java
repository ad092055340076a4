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
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.SweepResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

    boolean giveUp(StepMessage message, String reason) {
        Instant now = s.now();
        Optional<String> failedGraph = s.store().inTransaction(tx -> {
            Optional<RunRecord> run = tx.runs().find(message.runId());
            Optional<StepRecord> step = tx.steps().find(message.runId(), message.step());
            if (run.isEmpty() || step.isEmpty() || run.get().status().isTerminal()) {
                return Optional.<String>empty();
            }
            StepRecord st = step.get();
            boolean liveLease = st.status() == StepStatus.RUNNING
                    && st.leaseUntil() != null
                    && st.leaseUntil().isAfter(now);
            if (st.status().isTerminal() || st.status() == StepStatus.PENDING || liveLease) {
                return Optional.<String>empty();
            }
            StepError error = new StepError("DeliveryFailed", "the queue gave up delivering this step: " + reason, "");
            StepRecord failedStep = StepChange.of(st).failed(error, now).build(now);
            if (!tx.steps().update(failedStep, st.status(), st.attempt())) {
                return Optional.<String>empty();
            }
            Events events = new Events(message.runId());
            events.add(
                    now,
                    EventType.STEP_FAILED,
                    st.name(),
                    st.attempt(),
                    Events.error(error).put("willRetry", false).put("reason", "delivery failed"));
            failures.failRun(tx, message.runId(), st.name(), error, now, events);
            tx.timeline().append(events.list());
            return Optional.of(run.get().graph());
        });
        failedGraph.ifPresent(graph -> s.observer().runFinished(graph, RunStatus.FAILED));
        return failedGraph.isPresent();
    }

    RunDetails retry(String runId) {
        Queries.requireRunId(runId);
        Instant now = s.now();
        RunDetails details = s.store().inTransaction(tx -> {
            RunRecord run = tx.runs().find(runId).orElseThrow(() -> new RunNotFoundException(runId));
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
                if (tx.steps().update(next, step.status(), step.attempt()) && next.status() == StepStatus.QUEUED) {
                    events.add(now, EventType.STEP_QUEUED, step.name(), null, Json.obj("manualRetry", true));
                    intents.add(new DispatchIntent(s.ids().newId("int"), runId, step.name(), now, now));
                }
            }
            Transitions.check(RunStatus.FAILED, RunStatus.QUEUED);
            tx.runs().updateStatus(runId, RunStatus.FAILED, RunStatus.QUEUED, now, null);
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
        RunDetails details = s.store().inTransaction(tx -> {
            RunRecord run = tx.runs().find(runId).orElseThrow(() -> new RunNotFoundException(runId));
            if (run.status().isTerminal()) {
                throw new RunStateConflictException(runId, run.status(), "cancel", "the run already finished");
            }
            Events events = new Events(runId);
            for (StepRecord step : tx.steps().findByRun(runId)) {
                if (step.status().isTerminal()) {
                    continue;
                }
                StepRecord cancelled = StepChange.of(step).cancelled(now).build(now);
                if (tx.steps().update(cancelled, step.status(), step.attempt())) {
                    events.add(
                            now,
                            EventType.STEP_CANCELLED,
                            step.name(),
                            step.attempt() == 0 ? null : step.attempt(),
                            Json.obj("reason", "run cancelled"));
                }
            }
            tx.intents().deleteForRun(runId);
            Transitions.check(run.status(), RunStatus.CANCELLED);
            tx.runs().updateStatus(runId, run.status(), RunStatus.CANCELLED, now, null);
            events.add(now, EventType.RUN_CANCELLED, null, null, null);
            tx.timeline().append(events.list());
            return queries.details(tx, runId);
        });
        s.observer().runFinished(details.run().graph(), RunStatus.CANCELLED);
        return details;
    }

    SweepResult sweep() {
        Instant now = s.now();
        List<Instant> dues = new ArrayList<>();
        List<String> failedGraphs = new ArrayList<>();
        int expired = s.store().inTransaction(tx -> {
            dues.clear();
            failedGraphs.clear();
            int n = 0;
            for (StepRecord step : tx.steps().findExpiredLeases(now, s.sweepBatch())) {
                RunRecord run = tx.runs().find(step.runId()).orElse(null);
                StepGraph graph = run == null
                        ? null
                        : s.registry().find(run.graph(), run.version()).orElse(null);
                if (graph == null) {
                    continue;
                }
                Events events = new Events(run.id());
                List<DispatchIntent> intents = new ArrayList<>();
                DeliveryOutcome outcome = failures.expireLease(tx, run, graph, step, now, events, intents);
                if (outcome != null) {
                    n++;
                    tx.timeline().append(events.list());
                    tx.intents().insertAll(intents);
                    intents.forEach(i -> dues.add(i.dueAt()));
                    if (outcome instanceof DeliveryOutcome.Failed) {
                        failedGraphs.add(run.graph());
                    }
                }
            }
            return n;
        });
        int stranded = s.store().inTransaction(tx -> {
            int n = 0;
            List<DispatchIntent> intents = new ArrayList<>();
            for (StepRecord step : tx.steps().findStranded(now.minus(s.strandedGrace()), s.sweepBatch())) {
                Instant due = step.dueAt() == null || step.dueAt().isBefore(now) ? now : step.dueAt();
                intents.add(new DispatchIntent(s.ids().newId("int"), step.runId(), step.name(), due, now));
                n++;
            }
            tx.intents().insertAll(intents);
            intents.forEach(i -> dues.add(i.dueAt()));
            return n;
        });
        if (!dues.isEmpty()) {
            s.signal().intentsCommitted(dues.stream().min(Instant::compareTo).orElse(now));
        }
        failedGraphs.forEach(graph -> s.observer().runFinished(graph, RunStatus.FAILED));
        if (expired + stranded > 0) {
            log.info("Sweep recovered {} expired lease(s) and {} stranded step(s)", expired, stranded);
        }
        return new SweepResult(expired, stranded);
    }
}
