package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.core.internal.Json;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.out.StoreTransaction;
import java.time.Instant;

/**
 * Changes of a run's status, made by a transaction that holds the run ({@code tx.runs().lock}). Nothing else
 * changes a held run or its steps, so a compare-and-set that loses here indicates a bug and rolls the
 * transaction back instead of being reported as done.
 */
final class RunStates {
    private RunStates() {}

    /** Moves the held run to {@code next}; {@code output} is kept when null. */
    static void set(StoreTransaction tx, RunRecord held, RunStatus next, Instant now, JsonNode output) {
        Transitions.check(held.status(), next);
        if (!tx.runs().updateStatus(held.id(), held.status(), next, now, output)) {
            throw new IllegalStateException("run " + held.id() + " changed from " + held.status()
                    + " while this transaction held it; this indicates a bug");
        }
    }

    /** Writes a step of a held run; the step must still be as it was read in this transaction. */
    static void update(StoreTransaction tx, StepRecord current, StepRecord next) {
        if (!tx.steps().update(next, current.status(), current.attempt())) {
            throw new IllegalStateException("step " + current.name() + " of run " + current.runId()
                    + " changed from " + current.status() + " while this transaction held its run; this indicates"
                    + " a bug");
        }
    }

    /**
     * Finishes the held run as {@code status}: every step that has not finished ends with it as CANCELLED (a
     * RUNNING attempt's late result is then recorded but schedules nothing), the run's dispatch intents are
     * deleted, and the run takes its final status. The caller appends the run's own event.
     */
    static void finish(
            StoreTransaction tx, RunRecord held, RunStatus status, String reason, Instant now, Events events) {
        for (StepRecord step : tx.steps().findByRun(held.id())) {
            if (step.status().isTerminal()) {
                continue;
            }
            update(tx, step, StepChange.of(step).cancelled(now).build(now));
            events.add(
                    now,
                    EventType.STEP_CANCELLED,
                    step.name(),
                    step.attempt() == 0 ? null : step.attempt(),
                    Json.obj("reason", reason, "was", step.status().name()));
        }
        tx.intents().deleteForRun(held.id());
        set(tx, held, status, now, null);
    }
}
