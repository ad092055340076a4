package io.durableruns.ports.in;

import io.durableruns.ports.InvalidRequestException;
import io.durableruns.ports.model.Ids;

/**
 * A step delivery: ids only, all state lives in the store. On the wire (QStash message bodies) it is the JSON
 * object {@code {"runId":"run_...","step":"plan","attempt":2}}; other fields are ignored.
 *
 * @param attempt the attempt the message was published to start, or {@code null} when the sender does not say (a
 *     delivery by hand): a message for an attempt that is over, or not the next one, starts nothing
 */
public record StepMessage(String runId, String step, Integer attempt) {
    public StepMessage {
        if (!Ids.isRunId(runId)) {
            throw new InvalidRequestException("malformed run id: " + runId);
        }
        if (!Ids.isName(step)) {
            throw new InvalidRequestException("malformed step name: " + step);
        }
        if (attempt != null && attempt < 1) {
            throw new InvalidRequestException("a message names attempt 1 or later, not " + attempt);
        }
    }

    /** A message that names no attempt: it starts the step's next attempt when that is due. */
    public StepMessage(String runId, String step) {
        this(runId, step, null);
    }
}
