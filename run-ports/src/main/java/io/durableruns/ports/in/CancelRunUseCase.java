package io.durableruns.ports.in;

import io.durableruns.ports.model.RunDetails;

/** Cancels a run: no further step starts and running attempts cannot commit. */
public interface CancelRunUseCase {
    /**
     * @throws io.durableruns.ports.RunNotFoundException when no such run exists
     * @throws io.durableruns.ports.RunStateConflictException when the run already finished
     */
    RunDetails cancel(String runId);
}
