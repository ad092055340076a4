package io.durableruns.ports.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A chain link: a step's success and, in the same commit, the claim of its successor by the worker that ran the
 * step, where the successor waits for that step alone: the commit of every step of a sequential graph but the
 * last. See {@link io.durableruns.ports.out.RunStore#commitLink}.
 *
 * @param succeeded the step as it is to be stored: {@link StepStatus#SUCCEEDED}, with its output
 * @param expectedAttempt the attempt that must still be {@link StepStatus#RUNNING} (the fencing token)
 * @param successor the step that becomes ready: it depends on {@code succeeded} alone
 * @param owner the worker that takes the successor
 * @param leaseUntil when the successor's lease expires
 * @param at when the link commits: the successor's start, its update time and the events' time
 * @param succeededData the data of the {@link EventType#STEP_SUCCEEDED} event
 * @param startedData the data of the successor's {@link EventType#STEP_STARTED} event
 * @param toolCalls the tool calls of the attempt, stored in this order; all of the succeeded step
 * @param artifacts the artifacts of the attempt, each stored unless the step already has one with its key; all of
 *     the succeeded step
 */
public record LinkCommit(
        StepRecord succeeded,
        int expectedAttempt,
        String successor,
        String owner,
        Instant leaseUntil,
        Instant at,
        JsonNode succeededData,
        JsonNode startedData,
        List<ToolCallRecord> toolCalls,
        List<ArtifactRecord> artifacts) {
    public LinkCommit {
        Objects.requireNonNull(succeeded, "succeeded");
        Objects.requireNonNull(successor, "successor");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(succeededData, "succeededData");
        Objects.requireNonNull(startedData, "startedData");
        toolCalls = List.copyOf(toolCalls);
        artifacts = List.copyOf(artifacts);
        for (ToolCallRecord call : toolCalls) {
            if (!call.runId().equals(succeeded.runId()) || !call.step().equals(succeeded.name())) {
                throw new IllegalArgumentException(
                        "a link stores the tool calls of its own step, not of " + call.runId() + "/" + call.step());
            }
        }
        for (ArtifactRecord artifact : artifacts) {
            if (!artifact.runId().equals(succeeded.runId()) || !artifact.step().equals(succeeded.name())) {
                throw new IllegalArgumentException("a link stores the artifacts of its own step, not of "
                        + artifact.runId() + "/" + artifact.step());
            }
        }
        if (succeeded.status() != StepStatus.SUCCEEDED) {
            throw new IllegalArgumentException("a link commits a SUCCEEDED step, not " + succeeded.status());
        }
    }

    public String runId() {
        return succeeded.runId();
    }

    /**
     * The successor as the link stores it: {@link StepStatus#RUNNING} in its next attempt, leased to {@link
     * #owner} until {@link #leaseUntil}, started at {@link #at}, nothing due and nothing left to wait for; its
     * other fields as they were.
     */
    public StepRecord claimed(StepRecord pending) {
        return new StepRecord(
                pending.runId(),
                pending.name(),
                StepStatus.RUNNING,
                pending.attempt() + 1,
                pending.budgetBase(),
                0,
                pending.dependsOn(),
                owner,
                leaseUntil,
                null,
                at,
                null,
                pending.output(),
                pending.error(),
                at);
    }
}
