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
import java.util.OptionalInt;
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
     * @param retried QStash's {@code Upstash-Retried} header, or {@code null}: when a retry is scheduled but
     *     this message has no redelivery left ({@code retried >= maxAttempts - 1}), the step is given up here
     */
    void answer(Context ctx, StepMessage message, DeliveryOutcome outcome, Integer retried) {
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
            retryLater(ctx, busy.leaseUntil(), "step_busy", "Step '" + message.step() + "' of run "
                    + message.runId() + " is running elsewhere until " + busy.leaseUntil() + "; deliver it again then");
        } else if (outcome instanceof RetryAt retry) {
            if (retried != null && noRedeliveryLeft(message, retried)) {
                giveUp(ctx, message, retry, retried);
            } else {
                retryLater(ctx, retry.at(), "step_retry_scheduled", "Attempt " + retry.attempt() + " of step '"
                        + message.step() + "' failed" + describe(retry.error()) + "; the next attempt is due at "
                        + retry.at());
            }
        } else if (outcome instanceof Failed failed) {
            stopRetrying(ctx, "step_failed", "Step '" + message.step() + "' of run " + message.runId()
                    + " failed for good at attempt " + failed.attempt() + describe(failed.error()));
        } else {
            throw new IllegalStateException("Unknown delivery outcome " + outcome + "; indicates a bug");
        }
    }

    private void giveUp(Context ctx, StepMessage message, RetryAt retry, int retried) {
        String reason = "QStash has no redelivery left for the step message (Upstash-Retried: " + retried
                + ") after attempt " + retry.attempt() + " failed" + describe(retry.error());
        if (!runs.giveUp(message, reason)) {
            ObjectNode body = acknowledgement("ignored", message);
            body.put("reason", "the step moved on meanwhile; this message is no longer needed");
            Responses.json(ctx, 200, body);
            return;
        }
        LOG.warn("Gave up step {} of run {}: {}", message.step(), message.runId(), reason);
        stopRetrying(ctx, "step_failed", "Step '" + message.step() + "' of run " + message.runId()
                + " failed for good: " + reason);
    }

    private boolean noRedeliveryLeft(StepMessage message, int retried) {
        OptionalInt maxAttempts = maxAttempts(message);
        return maxAttempts.isPresent() && retried >= maxAttempts.getAsInt() - 1;
    }

    private OptionalInt maxAttempts(StepMessage message) {
        return runs.find(message.runId())
                .flatMap(run -> runs.graph(run.run().graph(), run.run().version()))
                .flatMap(graph -> graph.step(message.step()))
                .filter(step -> step.retry() != null)
                .map(step -> OptionalInt.of(step.retry().maxAttempts()))
                .orElse(OptionalInt.empty());
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
