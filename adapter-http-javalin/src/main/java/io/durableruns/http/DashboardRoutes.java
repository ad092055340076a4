package io.durableruns.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard: one HTML page (the same for {@code /}, {@code /runs/{id}} and {@code /graphs}, so that links to
 * them can be shared and reloaded) and its style sheet and ES modules, served from the classpath folder
 * {@code io/durableruns/http/dashboard}. Nothing here holds run data: the page reads it from the API with the
 * operator's token, so these routes are open. Every page and asset is served with a Content-Security-Policy
 * that allows scripts and styles from this server only (no inline script, no {@code eval}).
 */
final class DashboardRoutes {
    static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String FOLDER = "io/durableruns/http/dashboard/";
    private static final Pattern ASSET = Pattern.compile("[a-z0-9-]{1,64}\\.(js|css|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    private record Asset(byte[] bytes, String type, String etag) {}

    /** {@code GET /}, {@code /runs/{id}}, {@code /graphs}: the page; the script shows what the path names. */
    void page(Context ctx) {
        serve(ctx, load("index.html", "text/html; charset=utf-8").orElseThrow(DashboardRoutes::missing));
    }

    /** {@code GET /assets/{file}}: a style sheet, module or icon of the page. */
    void asset(Context ctx) {
        String file = ctx.pathParam("file");
        Optional<Asset> asset = ASSET.matcher(file).matches()
                ? load(file, TYPES.get(file.substring(file.lastIndexOf('.') + 1)))
                : Optional.empty();
        serve(
                ctx,
                asset.orElseThrow(
                        () -> ApiException.notFound("not_found", "No dashboard asset '" + PathIds.clip(file) + "'")));
    }

    private static void serve(Context ctx, Asset asset) {
        ctx.header("Content-Security-Policy", PAGE_POLICY)
                .header("Referrer-Policy", "no-referrer")
                .header("X-Frame-Options", "DENY")
                .header("Cache-Control", "no-cache")
                .header("ETag", asset.etag());
        if (asset.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.status(200).contentType(asset.type()).result(asset.bytes());
    }

    private Optional<Asset> load(String file, String type) {
        return cache.computeIfAbsent(file, f -> {
            try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(FOLDER + f)) {
                if (in == null) {
                    return Optional.empty();
                }
                byte[] bytes = in.readAllBytes();
                return Optional.of(new Asset(bytes, type, "\"" + sha256(bytes) + "\""));
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the dashboard asset " + f, e);
            }
        });
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM; indicates a broken runtime", e);
        }
    }

    private static IllegalStateException missing() {
        return new IllegalStateException("the dashboard page " + FOLDER + "index.html is missing from the classpath;"
                + " the adapter-http-javalin jar is incomplete");
    }
}
