package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.internal.Json;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.out.StoreTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Claiming a step attempt: the decision of what a delivery means, and the lease that fences it. */
final class Claims {
    private static final Logger log = LoggerFactory.getLogger(Claims.class);

    private final EngineSettings s;
    private final Failures failures;

    Claims(EngineSettings settings, Failures failures) {
        this.s = settings;
        this.failures = failures;
    }

    /**
     * Claims {@code stepName} of {@code runId} for {@code owner} if it is runnable now.
     *
     * <p>A message that names its attempt starts exactly that attempt: the next one of a ready or retrying step,
     * whatever its due time (the queue held the message until then, and clocks differ a little). A message for
     * an attempt that is over or not the next one starts nothing; a duplicate of the running attempt's message is
     * busy. A message that names no attempt (a delivery by hand) starts the next attempt once it is due.
     *
     * @param fromQueue whether the caller took the step's dispatch intent from the queue, which already holds the
     *     run ({@code claimDue}); otherwise (a delivery) the claim takes the run first
     * @param attempt the attempt the message or intent starts, or {@code null} when it does not say
     */
    ClaimResult claim(
            StoreTransaction tx,
            String runId,
            String stepName,
            String owner,
            Instant now,
            boolean fromQueue,
            Integer attempt) {
        Optional<RunRecord> maybeRun =
                fromQueue ? tx.runs().find(runId) : tx.runs().lock(runId);
        if (maybeRun.isEmpty()) {
            return ClaimResult.not(new DeliveryOutcome.Ignored(runId, stepName, "no such run"));
        }
        RunRecord run = maybeRun.get();
        Optional<StepGraph> graph = s.registry().find(run.graph(), run.version());
        List<StepRecord> steps = tx.steps().findByNames(runId, withDependencies(graph, stepName));
        StepRecord step = steps.stream()
                .filter(x -> x.name().equals(stepName))
                .findFirst()
                .orElse(null);
        if (step == null) {
            return ClaimResult.not(new DeliveryOutcome.Ignored(runId, stepName, "the run has no such step"));
        }
        if (step.status() == StepStatus.SUCCEEDED) {
            return ClaimResult.not(new DeliveryOutcome.Duplicate(runId, stepName));
        }
        if (run.status().isTerminal()) {
            return ClaimResult.not(new DeliveryOutcome.Ignored(runId, stepName, "the run is " + run.status()));
        }
        if (graph.isEmpty()) {
            log.warn(
                    "Run {} uses graph {} v{}, which is not registered in this process; step {} left for a process"
                            + " that registers it",
                    runId,
                    run.graph(),
                    run.version(),
                    stepName);
            return ClaimResult.not(new DeliveryOutcome.Ignored(
                    runId, stepName, "graph " + run.graph() + " v" + run.version() + " is not registered here"));
        }
        if (step.status() == StepStatus.RUNNING) {
            return ClaimResult.not(running(tx, run, graph.get(), step, now));
        }
        Optional<String> refusal = refusal(step, attempt, now);
        if (refusal.isPresent()) {
            return ClaimResult.not(new DeliveryOutcome.Ignored(runId, stepName, refusal.get()));
        }
        Events events = new Events(runId);
        StepDefinition def = graph.get().step(stepName);
        Instant leaseUntil = now.plus(def.timeout()).plus(s.leaseMargin());
        StepRecord claimed = StepChange.of(step).claimed(owner, leaseUntil, now).build(now);
        RunStates.update(tx, step, claimed);
        if (!fromQueue) {
            tx.intents().deleteForStep(runId, stepName);
        }
        if (run.status() == RunStatus.QUEUED) {
            RunStates.set(tx, run, RunStatus.RUNNING, now, null);
            events.add(now, EventType.RUN_STARTED, null, null, null);
        }
        events.add(now, EventType.STEP_STARTED, stepName, claimed.attempt(), Json.obj("owner", owner));
        tx.timeline().append(events.list());
        StepLease lease = new StepLease(runId, stepName, claimed.attempt(), owner, leaseUntil);
        return ClaimResult.claimed(new PreparedAttempt(lease, run, claimed, dependencyOutputs(def, steps)));
    }

    /**
     * A message for a RUNNING step: busy while its lease lives (a duplicate of the running attempt's message);
     * once the lease ran out, the attempt counts as failed (its executor is gone) and the next one is scheduled
     * by a new intent.
     */
    private DeliveryOutcome running(StoreTransaction tx, RunRecord run, StepGraph graph, StepRecord step, Instant now) {
        if (step.leaseUntil() != null && step.leaseUntil().isAfter(now)) {
            return new DeliveryOutcome.Busy(run.id(), step.name(), step.leaseUntil());
        }
        Events events = new Events(run.id());
        List<DispatchIntent> intents = new ArrayList<>();
        DeliveryOutcome expired = failures.expireLease(tx, run, graph, step, now, events, intents);
        if (expired == null) {
            throw new IllegalStateException("step " + step.name() + " of run " + run.id()
                    + " changed while this transaction held its run; this indicates a bug");
        }
        tx.intents().insertAll(intents);
        tx.timeline().append(events.list());
        return expired;
    }

    /** Why a message may not start the next attempt of a step that is not running, if it may not. */
    private static Optional<String> refusal(StepRecord step, Integer attempt, Instant now) {
        if (!step.status().isClaimable()) {
            return Optional.of("the step is " + step.status());
        }
        if (attempt != null) {
            return attempt == step.attempt() + 1
                    ? Optional.empty()
                    : Optional.of("the message is for attempt " + attempt + " and the step waits for attempt "
                            + (step.attempt() + 1));
        }
        // A QUEUED step is ready whatever its due time (another thread's clock may run a little ahead); only a
        // retry waits for its backoff.
        if (step.status() == StepStatus.RETRYING
                && step.dueAt() != null
                && step.dueAt().isAfter(now)) {
            return Optional.of("attempt " + (step.attempt() + 1) + " is due at " + step.dueAt());
        }
        return Optional.empty();
    }

    /**
     * Claims a successor that became ready in the transaction committing its last dependency (which holds the
     * run), so the worker that ran the dependency runs it next without another transaction.
     */
    PreparedAttempt claimReady(
            StoreTransaction tx,
            RunRecord run,
            StepGraph graph,
            StepRecord ready,
            String owner,
            Instant now,
            Map<String, JsonNode> knownOutputs,
            Events events) {
        StepDefinition def = graph.step(ready.name());
        Instant leaseUntil = now.plus(def.timeout()).plus(s.leaseMargin());
        StepRecord claimed =
                StepChange.of(ready).queued(now).claimed(owner, leaseUntil, now).build(now);
        RunStates.update(tx, ready, claimed);
        // One event, not STEP_QUEUED then STEP_STARTED: the step never waits in the queue, it goes from pending to
        // running in this commit. Each timeline row costs the database a heap tuple and an index entry.
        events.add(now, EventType.STEP_STARTED, ready.name(), claimed.attempt(), Json.obj("owner", owner));
        Map<String, JsonNode> outputs = new HashMap<>();
        boolean complete = true;
        for (String dep : def.dependsOn()) {
            JsonNode out = knownOutputs.get(dep);
            if (out == null) {
                complete = false;
                break;
            }
            outputs.put(dep, out);
        }
        if (!complete) {
            outputs = dependencyOutputs(def, tx.steps().findByNames(run.id(), def.dependsOn()));
        }
        StepLease lease = new StepLease(run.id(), ready.name(), claimed.attempt(), owner, leaseUntil);
        return new PreparedAttempt(lease, run, claimed, outputs);
    }

    /**
     * Takes up to {@code max} due intents from the queue and claims their steps. Intents whose step cannot be
     * claimed (finished, cancelled, busy) are consumed; their outcomes go to {@code skipped}.
     */
    List<PreparedAttempt> claimFromQueue(
            StoreTransaction tx, String owner, Instant now, int max, List<DeliveryOutcome> skipped) {
        List<PreparedAttempt> out = new ArrayList<>();
        for (DispatchIntent intent : tx.intents().claimDue(now, max)) {
            ClaimResult r = claim(tx, intent.runId(), intent.step(), owner, now, true, intent.attempt());
            if (r.isClaimed()) {
                out.add(r.attempt());
            } else {
                skipped.add(r.outcome());
            }
        }
        return out;
    }

    /**
     * Claims the earliest due step from the queue, in the transaction that committed the caller's previous
     * step, so a worker moves on to its next step without a transaction of its own.
     */
    PreparedAttempt claimOneDue(StoreTransaction tx, String owner, Instant now) {
        List<PreparedAttempt> claimed = claimFromQueue(tx, owner, now, 1, new ArrayList<>());
        return claimed.isEmpty() ? null : claimed.get(0);
    }

    /** Reloads a claimed attempt (when the process that claimed it did not keep what it read). */
    Optional<PreparedAttempt> reload(StoreTransaction tx, StepLease lease) {
        Optional<RunRecord> run = tx.runs().find(lease.runId());
        if (run.isEmpty()) {
            return Optional.empty();
        }
        Optional<StepGraph> graph =
                s.registry().find(run.get().graph(), run.get().version());
        List<StepRecord> steps = tx.steps().findByNames(lease.runId(), withDependencies(graph, lease.step()));
        Optional<StepRecord> step = steps.stream()
                .filter(x -> x.name().equals(lease.step())
                        && x.status() == StepStatus.RUNNING
                        && x.attempt() == lease.attempt())
                .findFirst();
        if (step.isEmpty() || graph.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PreparedAttempt(
                lease, run.get(), step.get(), dependencyOutputs(graph.get().step(lease.step()), steps)));
    }

    /**
     * The step's name and, when the run's graph is registered here and has the step, the names of the steps it
     * depends on: what a claim reads of the run's steps.
     */
    private static List<String> withDependencies(Optional<StepGraph> graph, String stepName) {
        List<String> names = new ArrayList<>();
        names.add(stepName);
        graph.filter(g -> g.hasStep(stepName))
                .ifPresent(g -> names.addAll(g.step(stepName).dependsOn()));
        return names;
    }

    private static Map<String, JsonNode> dependencyOutputs(StepDefinition def, List<StepRecord> steps) {
        Map<String, JsonNode> outputs = new HashMap<>();
        for (StepRecord r : steps) {
            if (def.dependsOn().contains(r.name()) && r.output() != null) {
                outputs.put(r.name(), r.output());
            }
        }
        return outputs;
    }
}
