package io.durableruns.ports.in;

import io.durableruns.ports.model.RunDetails;

/** Retries a failed run: failed steps are queued again with a fresh retry budget. */
public interface RetryRunUseCase {
    /**
     * @throws io.durableruns.ports.RunNotFoundException when no such run exists
     * @throws io.durableruns.ports.RunStateConflictException when the run is not FAILED
     */
    RunDetails retry(String runId);
}
