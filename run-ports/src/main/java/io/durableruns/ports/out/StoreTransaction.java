package io.durableruns.ports.out;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.FinishCommit;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import java.util.List;
import java.util.Optional;

/** The repositories, bound to one open transaction. Valid only inside {@link RunStore#inTransaction}. */
public interface StoreTransaction {
    RunRepository runs();

    StepRepository steps();

    ArtifactRepository artifacts();

    ToolCallRepository toolCalls();

    TimelineRepository timeline();

    IntentRepository intents();

    GraphVersionRepository graphVersions();

    /**
     * Commits a run's finish in this transaction: takes the run ({@link RunRepository#lock}) and, when it is
     * RUNNING with one sink left and the step is still RUNNING in the expected attempt, stores the step, counts the
     * last sink down, moves the run to SUCCEEDED with its output and appends the step's {@link
     * EventType#STEP_SUCCEEDED} and the run's {@link EventType#RUN_SUCCEEDED} events. When a check fails it writes
     * nothing (the run stays held) and the caller commits the step the general way, which finds out what changed.
     * The attempt's tool calls and artifacts are the caller's to store.
     *
     * <p>This default uses the repositories; a store that can do it in one round trip overrides it (PostgreSQL: one
     * function call).
     *
     * @return whether the finish was written
     */
    default boolean commitFinish(FinishCommit finish) {
        Optional<RunRecord> run = runs().lock(finish.runId());
        if (run.isEmpty()
                || run.get().status() != RunStatus.RUNNING
                || run.get().sinksRemaining() != 1) {
            return false;
        }
        if (!steps().update(finish.succeeded(), StepStatus.RUNNING, finish.expectedAttempt())) {
            return false;
        }
        if (runs().decrementSinksRemaining(finish.runId()) != 0
                || !runs().updateStatus(
                                finish.runId(), RunStatus.RUNNING, RunStatus.SUCCEEDED, finish.at(), finish.output())) {
            throw new IllegalStateException(
                    "run " + finish.runId() + " changed while this transaction held it; this indicates a bug");
        }
        timeline()
                .append(List.of(
                        new TimelineEvent(
                                0,
                                finish.runId(),
                                finish.at(),
                                EventType.STEP_SUCCEEDED,
                                finish.succeeded().name(),
                                finish.expectedAttempt(),
                                finish.succeededData()),
                        new TimelineEvent(
                                0,
                                finish.runId(),
                                finish.at(),
                                EventType.RUN_SUCCEEDED,
                                null,
                                null,
                                JsonNodeFactory.instance.objectNode())));
        return true;
    }
}
