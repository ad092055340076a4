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
     * Records a failed attempt in a run this transaction holds, and schedules the next attempt (a new intent) or
     * fails the step and the run. The failed attempt is the running one of a RUNNING step, or, for a step that
     * waits for its next attempt (QUEUED or RETRYING), that next attempt, which never ran because the queue could
     * not deliver it; it counts against the budget all the same. Returns {@code null} when the step is no longer
     * as read (its lease expired and the sweeper moved it on).
     */
    DeliveryOutcome recordFailure(
            StoreTransaction tx,
            RunRecord run,
            StepGraph graph,
            StepRecord current,
            StepError error,
            boolean retryable,
            Instant now,
            Events events,
            List<DispatchIntent> intents) {
        RetryPolicy policy = graph.step(current.name()).retry();
        StepChange change = StepChange.of(current);
        if (current.status() != StepStatus.RUNNING) {
            change.skipAttempt();
        }
        if (retryable && change.attemptsInBudget() < policy.maxAttempts()) {
            Duration backoff = policy.backoff(change.attemptsInBudget(), s.nextRandom());
            Instant at = now.plus(backoff);
            StepRecord next = change.retrying(error, at).build(now);
            if (!tx.steps().update(next, current.status(), current.attempt())) {
                return null;
            }
            events.add(
                    now,
                    EventType.STEP_FAILED,
                    current.name(),
                    next.attempt(),
                    Events.attemptError(error).put("willRetry", true));
            events.add(
                    now,
                    EventType.STEP_RETRY_SCHEDULED,
                    current.name(),
                    next.attempt() + 1,
                    Json.obj("at", at.toString(), "backoffMs", backoff.toMillis()));
            intents.add(s.intent(next, at, now));
            return new DeliveryOutcome.RetryAt(run.id(), current.name(), next.attempt(), at, error);
        }
        int used = change.attemptsInBudget();
        StepRecord failed = change.failed(error, now).build(now);
        if (!tx.steps().update(failed, current.status(), current.attempt())) {
            return null;
        }
        String reason =
                retryable ? "attempts exhausted (" + used + " of " + policy.maxAttempts() + ")" : "not retryable";
        events.add(
                now,
                EventType.STEP_FAILED,
                current.name(),
                failed.attempt(),
                Events.attemptError(error).put("willRetry", false).put("reason", reason));
        failRun(tx, run, current.name(), error, now, events);
        return new DeliveryOutcome.Failed(run.id(), current.name(), failed.attempt(), error);
    }

    /**
     * A RUNNING step whose lease expired, in a run this transaction holds: the attempt counts as failed (its
     * executor is gone). Returns the outcome, or {@code null} when the step is no longer at that attempt.
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
     * Fails the held run because {@code failedStep} failed for good: every unfinished step ends with it (see
     * {@link RunStates#finish}) and the run becomes FAILED.
     */
    void failRun(StoreTransaction tx, RunRecord held, String failedStep, StepError error, Instant now, Events events) {
        RunStates.finish(tx, held, RunStatus.FAILED, "step '" + failedStep + "' failed", now, events);
        events.add(now, EventType.RUN_FAILED, failedStep, null, Events.error(error));
    }
}
