package io.durableruns.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Guards the management routes with {@code Authorization: Bearer <token>} when a token is configured. Both
 * sides are hashed before a constant-time comparison, so neither the content nor the length of the token
 * shows in the timing.
 */
final class BearerAuth {
    private static final String PREFIX = "bearer ";

    private final byte[] expectedDigest;

    /** @param token the API token, or {@code null} to let every request through */
    BearerAuth(String token) {
        this.expectedDigest = token == null ? null : sha256(token);
    }

    boolean enabled() {
        return expectedDigest != null;
    }

    /** Wraps {@code handler} so that it runs only for an authorised request. */
    Handler guard(Handler handler) {
        if (!enabled()) {
            return handler;
        }
        return ctx -> {
            check(ctx);
            handler.handle(ctx);
        };
    }

    private void check(Context ctx) {
        String header = ctx.header("Authorization");
        boolean ok = header != null
                && header.length() > PREFIX.length()
                && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                && MessageDigest.isEqual(
                        sha256(header.substring(PREFIX.length()).trim()), expectedDigest);
        if (!ok) {
            throw new ApiException(
                    401,
                    "unauthorized",
                    "This route needs the header 'Authorization: Bearer <token>' with the server's API token",
                    Map.of("WWW-Authenticate", "Bearer"));
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM; indicates a broken runtime", e);
        }
    }
}
