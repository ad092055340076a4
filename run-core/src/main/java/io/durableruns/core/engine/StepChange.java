package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import java.time.Instant;

/** A copy of a step record being changed; {@link #to} checks every status change with {@link Transitions}. */
final class StepChange {
    private final StepRecord from;
    private StepStatus status;
    private int attempt;
    private int budgetBase;
    private String leaseOwner;
    private Instant leaseUntil;
    private Instant dueAt;
    private Instant startedAt;
    private Instant finishedAt;
    private JsonNode output;
    private StepError error;

    private StepChange(StepRecord from) {
        this.from = from;
        this.status = from.status();
        this.attempt = from.attempt();
        this.budgetBase = from.budgetBase();
        this.leaseOwner = from.leaseOwner();
        this.leaseUntil = from.leaseUntil();
        this.dueAt = from.dueAt();
        this.startedAt = from.startedAt();
        this.finishedAt = from.finishedAt();
        this.output = from.output();
        this.error = from.error();
    }

    static StepChange of(StepRecord from) {
        return new StepChange(from);
    }

    StepChange to(StepStatus next) {
        Transitions.check(status, next);
        status = next;
        return this;
    }

    StepChange queued(Instant due) {
        to(StepStatus.QUEUED);
        dueAt = due;
        finishedAt = null;
        leaseOwner = null;
        leaseUntil = null;
        return this;
    }

    StepChange claimed(String owner, Instant until, Instant now) {
        to(StepStatus.RUNNING);
        attempt = attempt + 1;
        leaseOwner = owner;
        leaseUntil = until;
        startedAt = now;
        dueAt = null;
        return this;
    }

    /** The running attempt's lease runs until {@code until}; nothing else changes. */
    StepChange leaseExtended(Instant until) {
        if (status != StepStatus.RUNNING) {
            throw new IllegalStateException("only a running step has a lease to extend, this one is " + status);
        }
        leaseUntil = until;
        return this;
    }

    /** Counts the next attempt without running it: the queue could not deliver or publish it. */
    StepChange skipAttempt() {
        attempt = attempt + 1;
        return this;
    }

    /** Attempts used in the current retry budget, as changed so far. */
    int attemptsInBudget() {
        return attempt - budgetBase;
    }

    StepChange succeeded(JsonNode out, Instant now) {
        to(StepStatus.SUCCEEDED);
        output = out;
        error = null;
        finishedAt = now;
        leaseOwner = null;
        leaseUntil = null;
        return this;
    }

    StepChange retrying(StepError err, Instant due) {
        to(StepStatus.RETRYING);
        error = err;
        dueAt = due;
        leaseOwner = null;
        leaseUntil = null;
        return this;
    }

    StepChange failed(StepError err, Instant now) {
        to(StepStatus.FAILED);
        error = err;
        finishedAt = now;
        dueAt = null;
        leaseOwner = null;
        leaseUntil = null;
        return this;
    }

    StepChange cancelled(Instant now) {
        to(StepStatus.CANCELLED);
        finishedAt = now;
        dueAt = null;
        leaseOwner = null;
        leaseUntil = null;
        return this;
    }

    /** Back to QUEUED without counting the attempt that was claimed but not run. */
    StepChange released(Instant now) {
        to(StepStatus.QUEUED);
        attempt = attempt - 1;
        dueAt = now;
        leaseOwner = null;
        leaseUntil = null;
        return this;
    }

    /** A manual retry: a fresh budget, and QUEUED or PENDING depending on the dependencies. */
    StepChange retried(Instant now) {
        budgetBase = attempt;
        finishedAt = null;
        if (from.pendingDeps() == 0) {
            return queued(now);
        }
        to(StepStatus.PENDING);
        dueAt = null;
        return this;
    }

    StepRecord build(Instant now) {
        return new StepRecord(
                from.runId(),
                from.name(),
                status,
                attempt,
                budgetBase,
                from.pendingDeps(),
                from.dependsOn(),
                leaseOwner,
                leaseUntil,
                dueAt,
                startedAt,
                finishedAt,
                output,
                error,
                now);
    }
}
