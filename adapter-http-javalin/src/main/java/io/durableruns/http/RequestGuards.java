package io.durableruns.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What keeps other web pages out of the API when a browser on the operator's machine can reach it.
 *
 * <ul>
 *   <li>Without an API token the management routes are open, so only requests whose {@code Host} is a loopback
 *       name or address are served (421 otherwise): a page whose own host name resolves to 127.0.0.1 (DNS
 *       rebinding) is refused. The QStash job routes are left out: they are authenticated by their signature,
 *       and QStash calls them with the public host of a tunnel or proxy in front of the server.
 *   <li>Routes that change state accept only {@code Content-Type: application/json} (415 otherwise), which a
 *       cross-site page cannot send without a CORS preflight that this server never approves.
 *   <li>When those routes are sent an {@code Origin}, it must be the server's own (its host and port are those
 *       of the {@code Host} header, as in Go's {@code CrossOriginProtection}) or a trusted one; 403 otherwise.
 * </ul>
 */
final class RequestGuards {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6_LOOPBACK = Pattern.compile("\\[(::|(0{1,4}:){7})0{0,3}1]");
    private static final String JOB_ROUTES = "/api/jobs/";

    private final boolean loopbackOnly;
    private final Set<String> trustedOrigins;

    /**
     * @param loopbackOnly whether every request but the job routes must name a loopback host
     * @param trustedOrigins origins ({@code https://runs.example.com}) accepted besides the server's own
     */
    RequestGuards(boolean loopbackOnly, Set<String> trustedOrigins) {
        this.loopbackOnly = loopbackOnly;
        this.trustedOrigins =
                trustedOrigins.stream().map(RequestGuards::normalizeOrigin).collect(Collectors.toUnmodifiableSet());
    }

    /** A before-handler: refuses requests for a host that is not loopback, when the server has no token. */
    void checkHost(Context ctx) {
        if (!loopbackOnly || ctx.path().startsWith(JOB_ROUTES)) {
            return;
        }
        String host = ctx.header("Host");
        if (host == null || !isLoopback(hostName(host))) {
            throw new ApiException(
                    421,
                    "misdirected_request",
                    "Without an API token this server answers only requests for localhost or a loopback address;"
                            + " open it as http://127.0.0.1:<port>/, or set an API token to serve other host names");
        }
    }

    /** Wraps a route that changes state: a same-origin {@code Origin}, if any, and a JSON content type. */
    Handler write(Handler handler) {
        return ctx -> {
            checkOrigin(ctx);
            checkJson(ctx);
            handler.handle(ctx);
        };
    }

    private void checkOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        String host = ctx.header("Host");
        String normalized = normalizeOrigin(origin);
        boolean same = host != null
                && normalized != null
                && authority(normalized).equalsIgnoreCase(withPort(host, normalized));
        if (!same && (normalized == null || !trustedOrigins.contains(normalized))) {
            throw new ApiException(
                    403,
                    "cross_origin",
                    "This route changes state and accepts requests only from the server's own pages; the request"
                            + " came from another origin");
        }
    }

    private static void checkJson(Context ctx) {
        String type = ctx.header("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new ApiException(
                    415,
                    "unsupported_media_type",
                    "This route changes state and needs the header 'Content-Type: application/json'");
        }
    }

    /** {@code scheme://host:port} in lower case with the port always written, or {@code null} when malformed. */
    static String normalizeOrigin(String origin) {
        try {
            URI uri = new URI(origin.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String authority(String normalizedOrigin) {
        return normalizedOrigin.substring(normalizedOrigin.indexOf("://") + 3);
    }

    /** The {@code Host} header with the port of the origin's scheme when it names none. */
    private static String withPort(String host, String normalizedOrigin) {
        boolean hasPort = host.startsWith("[") ? host.contains("]:") : host.contains(":");
        if (hasPort) {
            return host;
        }
        return host + ":" + (normalizedOrigin.startsWith("https:") ? 443 : 80);
    }

    /** The host name of a {@code Host} header, without its port. */
    static String hostName(String host) {
        String h = host.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    /** Whether a host name is {@code localhost} or a literal loopback address (never looked up in DNS). */
    static boolean isLoopback(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.equals("localhost") || IPV6_LOOPBACK.matcher(n).matches()) {
            return true;
        }
        if (!IPV4.matcher(n).matches()) {
            return false;
        }
        String[] octets = n.split("\\.");
        for (String octet : octets) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return octets[0].equals("127");
    }
}
