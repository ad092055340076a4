package io.durableruns.core.engine;

import io.durableruns.core.NonRetryableStepException;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.internal.Json;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.out.StoreTransaction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Failed attempts: retry or fail for good, expired leases, and failing a whole run. */
final class Failures {
    private static final int MAX_STACK_TRACE = 16 * 1024;

    private final EngineSettings s;

    Failures(EngineSettings settings) {
        this.s = settings;
    }

    static StepError toError(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        String trace = sw.toString();
        if (trace.length() > MAX_STACK_TRACE) {
            trace = trace.substring(0, MAX_STACK_TRACE) + "\n\t... (truncated)";
        }
        return new StepError(t.getClass().getName(), t.getMessage(), trace);
    }

    boolean isRetryable(Throwable error, RetryPolicy policy) {
        return !(error instanceof NonRetryableStepException) && policy.isRetryable(error);
    }

    /**
     * Records a failed attempt of a RUNNING step (CAS on its attempt): schedules the next attempt or fails
     * the step and the run. Returns {@code null} when the step was no longer held by this attempt.
     */
    DeliveryOutcome recordFailure(
            StoreTransaction tx,
            RunRecord run,
            StepGraph graph,
            StepRecord running,
            StepError error,
            boolean retryable,
            Instant now,
            Events events,
            List<DispatchIntent> intents) {
        RetryPolicy policy = graph.step(running.name()).retry();
        int used = running.attemptsInBudget();
        if (retryable && used < policy.maxAttempts()) {
            Duration backoff = policy.backoff(used, s.nextRandom());
            Instant at = now.plus(backoff);
            StepRecord next = StepChange.of(running).retrying(error, at).build(now);
            if (!tx.steps().update(next, StepStatus.RUNNING, running.attempt())) {
                return null;
            }
            events.add(
                    now,
                    EventType.STEP_FAILED,
                    running.name(),
                    running.attempt(),
                    Events.attemptError(error).put("willRetry", true));
            events.add(
                    now,
                    EventType.STEP_RETRY_SCHEDULED,
                    running.name(),
                    running.attempt() + 1,
                    Json.obj("at", at.toString(), "backoffMs", backoff.toMillis()));
            if (s.retryDelivery() == RetryDelivery.INTENT) {
                intents.add(new DispatchIntent(s.ids().newId("int"), run.id(), running.name(), at, now));
            }
            return new DeliveryOutcome.RetryAt(run.id(), running.name(), running.attempt(), at, error);
        }
        StepRecord failed = StepChange.of(running).failed(error, now).build(now);
        if (!tx.steps().update(failed, StepStatus.RUNNING, running.attempt())) {
            return null;
        }
        String reason =
                retryable ? "attempts exhausted (" + used + " of " + policy.maxAttempts() + ")" : "not retryable";
        events.add(
                now,
                EventType.STEP_FAILED,
                running.name(),
                running.attempt(),
                Events.attemptError(error).put("willRetry", false).put("reason", reason));
        failRun(tx, run.id(), running.name(), error, now, events);
        return new DeliveryOutcome.Failed(run.id(), running.name(), running.attempt(), error);
    }

    /**
     * A RUNNING step whose lease expired: the attempt counts as failed (its executor is gone). Returns the
     * outcome, or {@code null} when another transaction changed the step first.
     */
    DeliveryOutcome expireLease(
            StoreTransaction tx,
            RunRecord run,
            StepGraph graph,
            StepRecord step,
            Instant now,
            Events events,
            List<DispatchIntent> intents) {
        StepError error = new StepError(
                "LeaseExpired",
                "the lease of attempt " + step.attempt() + " held by "
                        + step.leaseOwner() + " expired at " + step.leaseUntil()
                        + " before it committed: the process died or the step ran past its timeout",
                "");
        events.add(
                now,
                EventType.STEP_LEASE_EXPIRED,
                step.name(),
                step.attempt(),
                Json.obj("owner", step.leaseOwner(), "leaseUntil", String.valueOf(step.leaseUntil())));
        return recordFailure(tx, run, graph, step, error, true, now, events, intents);
    }

    /**
     * Cancels a step that has not started. A concurrent transaction may ready it meanwhile (PENDING to
     * QUEUED), so a lost compare-and-set is retried on the fresh row.
     */
    private static void cancelNotStarted(
            StoreTransaction tx, StepRecord step, Instant now, Events events, String reason) {
        StepRecord current = step;
        for (int i = 0; i < 3 && current != null; i++) {
            StepStatus st = current.status();
            if (st != StepStatus.PENDING && st != StepStatus.QUEUED && st != StepStatus.RETRYING) {
                return;
            }
            StepRecord cancelled = StepChange.of(current).cancelled(now).build(now);
            if (tx.steps().update(cancelled, st, current.attempt())) {
                events.add(now, EventType.STEP_CANCELLED, current.name(), null, Json.obj("reason", reason));
                return;
            }
            current = tx.steps().find(current.runId(), current.name()).orElse(null);
        }
    }

    /**
     * Fails the run: steps that have not started are cancelled and the run's intents deleted. Steps still
     * RUNNING may commit later; nothing after them starts.
     */
    void failRun(StoreTransaction tx, String runId, String failedStep, StepError error, Instant now, Events events) {
        RunRecord run = tx.runs().find(runId).orElseThrow();
        if (run.status().isTerminal()) {
            return;
        }
        for (StepRecord other : tx.steps().findByRun(runId)) {
            cancelNotStarted(tx, other, now, events, "step '" + failedStep + "' failed");
        }
        tx.intents().deleteForRun(runId);
        Transitions.check(run.status(), RunStatus.FAILED);
        tx.runs().updateStatus(runId, run.status(), RunStatus.FAILED, now, null);
        events.add(now, EventType.RUN_FAILED, failedStep, null, Events.error(error));
    }
}
