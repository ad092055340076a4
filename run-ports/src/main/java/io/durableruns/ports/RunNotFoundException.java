package io.durableruns.ports;

/** No run has the given id. Callers typically answer "not found". */
public final class RunNotFoundException extends RunsException {
    private static final long serialVersionUID = 1L;
    private final String runId;

    public RunNotFoundException(String runId) {
        super("No run with id " + runId);
        this.runId = runId;
    }

    public String runId() {
        return runId;
    }
}
