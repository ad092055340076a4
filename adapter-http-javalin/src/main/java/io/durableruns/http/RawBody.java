package io.durableruns.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body exactly as received, refusing more than the configured limit with a 413 before
 * anything is parsed.
 *
 * <p>A refused body is still read to its end (and thrown away) when it is at most {@link #DRAIN_FACTOR} times the
 * limit: a server that answers while the body is unread must close the connection on data it has not read, the
 * client's kernel then gets a reset, and the client can lose the 413 with it (it sees a closed connection instead
 * of an answer). Larger bodies are refused without reading them.
 */
final class RawBody {
    private static final int DRAIN_FACTOR = 4;

    private RawBody() {}

    static byte[] read(Context ctx, int limit) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        InputStream in = ctx.req().getInputStream();
        if (declared > limit) {
            if (declared <= (long) limit * DRAIN_FACTOR) {
                discard(in, declared);
            }
            throw tooLarge(limit);
        }
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) {
            discard(in, (long) limit * DRAIN_FACTOR - body.length);
            throw tooLarge(limit);
        }
        return body;
    }

    /** Reads and drops up to {@code max} bytes, stopping early at the end of the body. */
    private static void discard(InputStream in, long max) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long left = max;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                return;
            }
            left -= n;
        }
    }

    private static ApiException tooLarge(int limit) {
        return new ApiException(
                413,
                "payload_too_large",
                "The request body is larger than the limit of " + limit + " bytes; send a smaller body");
    }
}
