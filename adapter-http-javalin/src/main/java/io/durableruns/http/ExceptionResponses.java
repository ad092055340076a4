package io.durableruns.http;

import io.durableruns.ports.GraphNotFoundException;
import io.durableruns.ports.IdempotencyConflictException;
import io.durableruns.ports.InvalidRequestException;
import io.durableruns.ports.RunNotFoundException;
import io.durableruns.ports.RunStateConflictException;
import io.durableruns.ports.StoreException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every exception that leaves a handler into the JSON error shape. Port exceptions keep their
 * message (it is written for callers); anything unexpected is logged with the run id and answered with a
 * generic 500 that carries only a reference to the log line.
 */
final class ExceptionResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ExceptionResponses.class);

    private ExceptionResponses() {}

    static void handle(Exception e, Context ctx) {
        if (e instanceof ApiException api) {
            api.headers().forEach(ctx::header);
            Responses.error(ctx, api.status(), api.code(), api.getMessage());
        } else if (e instanceof InvalidRequestException) {
            Responses.error(ctx, 400, "invalid_request", e.getMessage());
        } else if (e instanceof RunNotFoundException) {
            Responses.error(ctx, 404, "run_not_found", e.getMessage());
        } else if (e instanceof GraphNotFoundException) {
            Responses.error(ctx, 404, "graph_not_found", e.getMessage());
        } else if (e instanceof IdempotencyConflictException) {
            Responses.error(ctx, 409, "idempotency_conflict", e.getMessage());
        } else if (e instanceof RunStateConflictException) {
            Responses.error(ctx, 409, "run_state_conflict", e.getMessage());
        } else if (e instanceof StoreException) {
            LOG.warn("The run store failed during {} {}{}", ctx.method(), ctx.path(), runIdOf(ctx), e);
            Responses.error(ctx, 503, "store_unavailable", "The run store is unavailable; retry later");
        } else if (e instanceof HttpResponseException http) {
            framework(ctx, http);
        } else {
            String reference = UUID.randomUUID().toString();
            LOG.error("Unexpected error {} during {} {}{}", reference, ctx.method(), ctx.path(), runIdOf(ctx), e);
            Responses.error(
                    ctx,
                    500,
                    "internal",
                    "Internal error; the server log has the details under reference " + reference);
        }
    }

    private static void framework(Context ctx, HttpResponseException e) {
        int status = e.getStatus();
        if (status == 404) {
            Responses.error(ctx, 404, "not_found", "No route for " + ctx.method() + " " + PathIds.clip(ctx.path()));
        } else if (status == 413) {
            Responses.error(ctx, 413, "payload_too_large", "The request body is too large");
        } else if (status >= 500) {
            LOG.error("HTTP error {} during {} {}{}", status, ctx.method(), ctx.path(), runIdOf(ctx), e);
            Responses.error(ctx, status, "internal", "Internal error");
        } else {
            Responses.error(ctx, status, "http_" + status, e.getMessage());
        }
    }

    private static String runIdOf(Context ctx) {
        Object id = ctx.attribute(JobRoutes.RUN_ID_ATTRIBUTE);
        if (id == null) {
            id = ctx.pathParamMap().get("id");
        }
        return id == null ? "" : " (run " + PathIds.clip(id.toString()) + ")";
    }
}
