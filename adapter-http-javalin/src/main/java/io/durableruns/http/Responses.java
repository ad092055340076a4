package io.durableruns.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;

/** Writes JSON answers. */
final class Responses {
    static final String JSON = "application/json; charset=utf-8";

    private Responses() {}

    static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType(JSON).result(JsonViews.bytes(body));
    }

    static void error(Context ctx, int status, String code, String message) {
        json(ctx, status, JsonViews.error(code, message));
    }
}
