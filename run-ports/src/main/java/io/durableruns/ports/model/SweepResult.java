package io.durableruns.ports.model;

/**
 * What one sweep recovered.
 *
 * @param expiredLeases steps whose executor's lease expired (the process died or hung) and that were
 *     re-queued or failed
 * @param strandedSteps ready steps that had no dispatch intent and got a new one
 */
public record SweepResult(int expiredLeases, int strandedSteps) {
    public int total() {
        return expiredLeases + strandedSteps;
    }
}
