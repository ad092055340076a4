package io.durableruns.ports.in;

import io.durableruns.ports.InvalidRequestException;
import io.durableruns.ports.model.Ids;

/**
 * A step delivery: ids only, all state lives in the store. On the wire (QStash message bodies) it is the
 * JSON object {@code {"runId":"run_...","step":"plan"}}; other fields are ignored.
 */
public record StepMessage(String runId, String step) {
    public StepMessage {
        if (!Ids.isRunId(runId)) {
            throw new InvalidRequestException("malformed run id: " + runId);
        }
        if (!Ids.isName(step)) {
            throw new InvalidRequestException("malformed step name: " + step);
        }
    }
}
