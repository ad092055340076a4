package io.durableruns.ports.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One step of one run as stored.
 *
 * @param attempt the number of the latest attempt, counting up over the whole life of the run (manual
 *     retries continue the count); 0 before the first claim. Together with {@link StepStatus#RUNNING} it is
 *     the fencing token of a claim.
 * @param budgetBase the attempt number at which the current retry budget started (0 at first; a manual
 *     retry sets it to {@code attempt}); attempts used in the current budget are {@code attempt - budgetBase}
 * @param pendingDeps how many dependencies have not succeeded yet
 * @param dependsOn the names of the steps this one depends on
 * @param leaseOwner the executor holding the claim, or {@code null}
 * @param leaseUntil when the claim expires, or {@code null}
 * @param dueAt when a {@link StepStatus#QUEUED} or {@link StepStatus#RETRYING} step may be claimed
 * @param output the output of the step once it succeeded
 * @param error the error of the latest failed attempt, or {@code null}
 */
public record StepRecord(
        String runId,
        String name,
        StepStatus status,
        int attempt,
        int budgetBase,
        int pendingDeps,
        List<String> dependsOn,
        String leaseOwner,
        Instant leaseUntil,
        Instant dueAt,
        Instant startedAt,
        Instant finishedAt,
        JsonNode output,
        StepError error,
        Instant updatedAt) {

    public StepRecord {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        dependsOn = List.copyOf(dependsOn);
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** Attempts used in the current retry budget. */
    public int attemptsInBudget() {
        return attempt - budgetBase;
    }
}
