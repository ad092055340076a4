package io.durableruns.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.DeliveryOutcome.Busy;
import io.durableruns.ports.model.DeliveryOutcome.Done;
import io.durableruns.ports.model.DeliveryOutcome.Failed;
import io.durableruns.ports.model.DeliveryOutcome.Ignored;
import io.durableruns.ports.model.DeliveryOutcome.RetryAt;
import io.durableruns.ports.model.StepError;
import io.javalin.http.Context;

/**
 * Answers a delivery with 200 whatever the engine decided, with the outcome in the body. Each attempt of a step is
 * its own message: a failed attempt's retry is a new intent (published with {@code Upstash-Not-Before} at the end
 * of its backoff), a duplicate or a message for an attempt that is over changes nothing, and a busy step's
 * executor either commits or is recovered by the sweeper. So QStash's own redeliveries only ever cover transport
 * failures (the server down, a 5xx when the store is unavailable), and no answer spends a step's attempts.
 */
final class DeliveryAnswers {
    private DeliveryAnswers() {}

    static void answer(Context ctx, StepMessage message, DeliveryOutcome outcome) {
        ObjectNode body = JsonViews.object();
        body.put("outcome", outcome.label());
        body.put("runId", message.runId());
        body.put("step", message.step());
        if (outcome instanceof Done done) {
            body.put("attempt", done.attempt());
        } else if (outcome instanceof Ignored ignored) {
            body.put("reason", ignored.reason());
        } else if (outcome instanceof Busy busy) {
            body.put("leaseUntil", String.valueOf(busy.leaseUntil()));
        } else if (outcome instanceof RetryAt retry) {
            body.put("attempt", retry.attempt());
            body.put("nextAttemptAt", retry.at().toString());
            describe(body, retry.error());
        } else if (outcome instanceof Failed failed) {
            body.put("attempt", failed.attempt());
            describe(body, failed.error());
        }
        Responses.json(ctx, 200, body);
    }

    private static void describe(ObjectNode body, StepError error) {
        if (error != null) {
            body.put("errorType", error.type());
            body.put("message", error.message());
        }
    }
}
