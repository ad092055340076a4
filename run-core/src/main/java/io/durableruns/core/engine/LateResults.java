package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.core.internal.Json;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.ToolCallRecord;
import io.durableruns.ports.out.StoreTransaction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The result of an attempt that returns after its run finished: what it did is kept for whoever debugs the run
 * (its outcome, its error, its tool calls), but it changes no step and schedules nothing.
 */
final class LateResults {
    private LateResults() {}

    /**
     * Records the late result in a run this transaction holds.
     *
     * @param error the attempt's error, or {@code null} when its handler returned
     */
    static DeliveryOutcome record(
            StoreTransaction tx,
            RunRecord held,
            StepLease lease,
            StepError error,
            List<ToolCallRecord> toolCalls,
            Duration elapsed,
            Instant now) {
        if (!toolCalls.isEmpty()) {
            tx.toolCalls().insertAll(toolCalls);
        }
        ObjectNode data = error == null
                ? Json.obj("outcome", "succeeded")
                : Events.error(error).put("outcome", "failed");
        data.put("durationMs", elapsed.toMillis())
                .put("runStatus", held.status().name());
        tx.timeline()
                .append(new Events(held.id())
                        .add(now, EventType.STEP_RESULT_DISCARDED, lease.step(), lease.attempt(), data)
                        .list());
        return new DeliveryOutcome.Ignored(
                held.id(),
                lease.step(),
                "the run is " + held.status() + ": the result of attempt " + lease.attempt()
                        + " was recorded and schedules nothing");
    }
}
