package io.durableruns.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body exactly as received, refusing more than the configured limit with a 413 before
 * anything is parsed.
 */
final class RawBody {
    private RawBody() {}

    static byte[] read(Context ctx, int limit) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        InputStream in = ctx.req().getInputStream();
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) {
            throw tooLarge(limit);
        }
        return body;
    }

    private static ApiException tooLarge(int limit) {
        return new ApiException(
                413,
                "payload_too_large",
                "The request body is larger than the limit of " + limit + " bytes; send a smaller body");
    }
}
