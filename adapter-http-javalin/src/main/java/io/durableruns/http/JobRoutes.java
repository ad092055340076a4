package io.durableruns.http;

import io.durableruns.ports.RunNotFoundException;
import io.durableruns.ports.in.MessageVerifier;
import io.durableruns.ports.in.MessageVerifier.Verification;
import io.durableruns.ports.in.RunOperations;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.DeliveryOutcome;
import io.javalin.http.Context;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes QStash calls: step deliveries and failure callbacks. The signature is checked on the raw body
 * bytes before anything is parsed or stored; a refusal is a 401 whose reason goes to the log and the
 * metrics only. Without a verifier (no signing keys configured) a route fails closed: every request is a 401,
 * counted under the reason {@value #NO_VERIFIER} and not logged (the server said so once when it started).
 */
final class JobRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(JobRoutes.class);

    /** The rejection reason of requests to a route that has no verifier. */
    static final String NO_VERIFIER = "no_verifier";

    /** The context attribute that carries the run id of a job request, for error logs. */
    static final String RUN_ID_ATTRIBUTE = "durableruns.runId";

    private final RunOperations runs;
    private final MessageVerifier verifier;
    private final MessageVerifier failureVerifier;
    private final int bodyLimit;
    private final ApiMetrics metrics;

    /** {@code verifier} and {@code failureVerifier} may be {@code null}: their route then refuses everything. */
    JobRoutes(
            RunOperations runs,
            MessageVerifier verifier,
            MessageVerifier failureVerifier,
            int bodyLimit,
            ApiMetrics metrics) {
        this.runs = runs;
        this.verifier = verifier;
        this.failureVerifier = failureVerifier;
        this.bodyLimit = bodyLimit;
        this.metrics = metrics;
    }

    /** {@code POST /api/jobs/run-step}: runs one step and acknowledges the message (see {@link DeliveryAnswers}). */
    void runStep(Context ctx) throws IOException {
        StepMessage message = StepMessages.delivery(verifiedBody(ctx, verifier));
        ctx.attribute(RUN_ID_ATTRIBUTE, message.runId());
        DeliveryOutcome outcome;
        try {
            outcome = runs.deliver(message);
        } catch (RunNotFoundException e) {
            outcome = new DeliveryOutcome.Ignored(message.runId(), message.step(), "no such run");
        }
        DeliveryAnswers.answer(ctx, message, outcome);
    }

    /**
     * {@code POST /api/jobs/step-failed}: QStash gave up on a step message. Only the attempt the message names is
     * affected, and only while the step still waits for it (see {@code DeliverStepUseCase.giveUp}); a stale
     * callback is recorded in the run's timeline and changes nothing. Always 200 once the body is understood.
     */
    void stepFailed(Context ctx) throws IOException {
        StepMessages.FailureCallback callback = StepMessages.failureCallback(verifiedBody(ctx, failureVerifier));
        StepMessage message = callback.message();
        ctx.attribute(RUN_ID_ATTRIBUTE, message.runId());
        DeliveryOutcome outcome;
        try {
            outcome = runs.giveUp(message, callback.reason());
        } catch (RunNotFoundException e) {
            outcome = new DeliveryOutcome.Ignored(message.runId(), message.step(), "no such run");
        }
        if (!(outcome instanceof DeliveryOutcome.Ignored)) {
            LOG.warn(
                    "QStash gave up delivering attempt {} of step {} of run {} ({}): {}",
                    message.attempt(),
                    message.step(),
                    message.runId(),
                    callback.reason(),
                    outcome.label());
        }
        DeliveryAnswers.answer(ctx, message, outcome);
    }

    private byte[] verifiedBody(Context ctx, MessageVerifier verifier) throws IOException {
        if (verifier == null) {
            metrics.signatureRejected(NO_VERIFIER);
            throw unauthorized();
        }
        byte[] body = RawBody.read(ctx, bodyLimit);
        Verification verification;
        try {
            verification = verifier.verify(ctx.header("Upstash-Signature"), body);
        } catch (RuntimeException e) {
            LOG.error("The message verifier failed on a request to {}", ctx.path(), e);
            verification = Verification.refused("verifier_error");
        }
        if (verification == null || !verification.valid()) {
            String reason = verification == null ? "no_verdict" : verification.reason();
            LOG.warn("Refused a request to {} from {}: {}", ctx.path(), ctx.ip(), reason);
            metrics.signatureRejected(reason);
            throw unauthorized();
        }
        return body;
    }

    private static ApiException unauthorized() {
        return new ApiException(401, "unauthorized", "The request signature is missing or invalid");
    }
}
