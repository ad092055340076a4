package io.durableruns.ports;

import io.durableruns.ports.model.RunStatus;

/** An operation does not apply to the run in its current status (retrying a run that has not failed). */
public final class RunStateConflictException extends RunsException {
    private static final long serialVersionUID = 1L;
    private final String runId;
    private final RunStatus status;

    public RunStateConflictException(String runId, RunStatus status, String operation, String requirement) {
        super("Cannot " + operation + " run " + runId + ": it is " + status + "; " + requirement);
        this.runId = runId;
        this.status = status;
    }

    public String runId() {
        return runId;
    }

    public RunStatus status() {
        return status;
    }
}
