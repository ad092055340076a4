package io.durableruns.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.ports.in.RunOperations;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.DeliveryOutcome.Busy;
import io.durableruns.ports.model.DeliveryOutcome.Done;
import io.durableruns.ports.model.DeliveryOutcome.Duplicate;
import io.durableruns.ports.model.DeliveryOutcome.Failed;
import io.durableruns.ports.model.DeliveryOutcome.Ignored;
import io.durableruns.ports.model.DeliveryOutcome.RetryAt;
import io.durableruns.ports.model.StepError;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a delivery outcome to QStash's language: any 2xx acknowledges the message, 5xx with
 * {@code Retry-After} asks for a redelivery at that time, and 489 with {@code Upstash-NonRetryable-Error:
 * true} sends the message to the dead-letter queue without further retries.
 */
final class DeliveryAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryAnswers.class);

    static final int STOP_RETRYING = 489;
    static final String NON_RETRYABLE = "Upstash-NonRetryable-Error";

    private final RunOperations runs;
    private final Clock clock;

    DeliveryAnswers(RunOperations runs, Clock clock) {
        this.runs = runs;
        this.clock = clock;
    }

    /**
     * Answers a delivery. Attempts are counted by the engine, not by QStash's {@code Upstash-Retried}: busy
     * answers and duplicates consume QStash redeliveries without being attempts. When QStash runs out of
     * redeliveries first, its failure callback fails the step ({@code POST /api/jobs/step-failed}).
     */
    void answer(Context ctx, StepMessage message, DeliveryOutcome outcome) {
        if (outcome instanceof Done done) {
            ObjectNode body = acknowledgement("done", message);
            body.put("attempt", done.attempt());
            Responses.json(ctx, 200, body);
        } else if (outcome instanceof Duplicate) {
            Responses.json(ctx, 200, acknowledgement("duplicate", message));
        } else if (outcome instanceof Ignored ignored) {
            ObjectNode body = acknowledgement("ignored", message);
            body.put("reason", ignored.reason());
            Responses.json(ctx, 200, body);
        } else if (outcome instanceof Busy busy) {
            retryLater(
                    ctx,
                    busy.leaseUntil(),
                    "step_busy",
                    "Step '" + message.step() + "' of run " + message.runId() + " is running elsewhere until "
                            + busy.leaseUntil() + "; deliver it again then");
        } else if (outcome instanceof RetryAt retry) {
            retryLater(
                    ctx,
                    retry.at(),
                    "step_retry_scheduled",
                    "Attempt " + retry.attempt() + " of step '"
                            + message.step() + "' failed" + describe(retry.error()) + "; the next attempt is due at "
                            + retry.at());
        } else if (outcome instanceof Failed failed) {
            stopRetrying(
                    ctx,
                    "step_failed",
                    "Step '" + message.step() + "' of run " + message.runId() + " failed for good at attempt "
                            + failed.attempt() + describe(failed.error()));
        } else {
            throw new IllegalStateException("Unknown delivery outcome " + outcome + "; indicates a bug");
        }
    }

    private void retryLater(Context ctx, Instant at, String code, String message) {
        ctx.header("Retry-After", Long.toString(secondsUntil(at)));
        Responses.error(ctx, 503, code, message);
    }

    private static void stopRetrying(Context ctx, String code, String message) {
        ctx.header(NON_RETRYABLE, "true");
        Responses.error(ctx, STOP_RETRYING, code, message);
    }

    /** Whole seconds until {@code at}, rounded up, at least 1. */
    long secondsUntil(Instant at) {
        long millis = Duration.between(clock.instant(), at).toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    private static ObjectNode acknowledgement(String outcome, StepMessage message) {
        ObjectNode body = JsonViews.object();
        body.put("outcome", outcome);
        body.put("runId", message.runId());
        body.put("step", message.step());
        return body;
    }

    private static String describe(StepError error) {
        return error == null ? "" : " (" + error.type() + ": " + error.message() + ")";
    }
}
