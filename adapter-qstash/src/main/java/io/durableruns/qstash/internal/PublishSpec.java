package io.durableruns.qstash.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One publish request as the emulator understood it, validated the way QStash validates it; every problem
 * is an {@link IllegalArgumentException} whose message is the {@code error} of a 400 answer.
 */
public record PublishSpec(
        String destination,
        String method,
        String contentType,
        Map<String, String> forwardHeaders,
        Map<String, String> sourceHeaders,
        Map<String, String> callbackForwardHeaders,
        Map<String, String> failureCallbackForwardHeaders,
        int maxRetries,
        RetryDelayExpression retryDelay,
        Duration delay,
        Long notBeforeSeconds,
        Duration timeout,
        String deduplicationId,
        String callback,
        String failureCallback,
        byte[] body) {

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
    private static final Set<String> NOT_FORWARDED = Set.of(
            "authorization",
            "host",
            "connection",
            "content-length",
            "expect",
            "upgrade",
            "transfer-encoding",
            "keep-alive",
            "te",
            "trailer",
            "user-agent",
            "accept-encoding",
            "accept");
    private static final Set<String> NOT_IN_SOURCE = Set.of("authorization", "host", "connection", "content-length");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final String MAX_DELAY_TEXT = QStashDurations.MAX_DELAY.toDays() + "d";
    private static final int MAX_PORT = 65_535;

    /** The forwarding prefix of headers delivered without it. */
    static final String FORWARD = "upstash-forward-";

    static final String CALLBACK_FORWARD = "upstash-callback-forward-";
    static final String FAILURE_CALLBACK_FORWARD = "upstash-failure-callback-forward-";

    /**
     * @param destination the full destination URL from the path
     * @param headers the request headers, any case
     */
    public static PublishSpec parse(String destination, Map<String, String> headers, byte[] body, EmulatorSettings s) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> {
            if (k != null && v != null) {
                h.put(k.strip(), v);
            }
        });
        String dest = validUrl(destination, "destination");
        String method = h.getOrDefault("Upstash-Method", "POST").strip().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("invalid Upstash-Method: " + method);
        }
        Map<String, String> forward = new LinkedHashMap<>();
        Map<String, String> callbackForward = new LinkedHashMap<>();
        Map<String, String> failureForward = new LinkedHashMap<>();
        Map<String, String> source = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : h.entrySet()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_IN_SOURCE.contains(lower)) {
                source.put(canonical(e.getKey()), e.getValue());
            }
            if (lower.startsWith(FAILURE_CALLBACK_FORWARD)) {
                putForwarded(failureForward, e.getKey(), FAILURE_CALLBACK_FORWARD, e.getValue());
            } else if (lower.startsWith(CALLBACK_FORWARD)) {
                putForwarded(callbackForward, e.getKey(), CALLBACK_FORWARD, e.getValue());
            } else if (lower.startsWith(FORWARD)) {
                putForwarded(forward, e.getKey(), FORWARD, e.getValue());
            }
        }
        int retries = s.defaultRetries();
        String retriesHeader = h.get("Upstash-Retries");
        if (retriesHeader != null) {
            try {
                retries = Integer.parseInt(retriesHeader.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid Upstash-Retries header: '" + retriesHeader + "'");
            }
            if (retries < 0 || retries > s.maxRetries()) {
                throw new IllegalArgumentException(
                        "Upstash-Retries must be between 0 and " + s.maxRetries() + ", was " + retries);
            }
        }
        RetryDelayExpression retryDelay = null;
        String retryDelayHeader = h.get("Upstash-Retry-Delay");
        if (retryDelayHeader != null) {
            retryDelay = RetryDelayExpression.parse(retryDelayHeader);
            retryDelay.evaluate(0);
        }
        Duration delay = delay(h.get("Upstash-Delay"));
        Long notBefore = notBefore(h.get("Upstash-Not-Before"), s);
        Duration timeout = null;
        String timeoutHeader = h.get("Upstash-Timeout");
        if (timeoutHeader != null) {
            timeout = QStashDurations.parseSecondsOrDuration(timeoutHeader)
                    .filter(d -> !d.isZero())
                    .orElseThrow(() ->
                            new IllegalArgumentException("invalid Upstash-Timeout header: '" + timeoutHeader + "'"));
        }
        String contentType = h.get("Content-Type");
        String dedup = h.get("Upstash-Deduplication-Id");
        if (dedup != null) {
            dedup = dedup.strip();
            if (dedup.isEmpty() || dedup.contains(":")) {
                throw new IllegalArgumentException(
                        "invalid Upstash-Deduplication-Id: it must not be empty or contain ':'");
            }
        } else if ("true"
                .equalsIgnoreCase(h.getOrDefault("Upstash-Content-Based-Deduplication", "")
                        .strip())) {
            dedup = contentId(dest, body, contentType, forward);
        }
        String callback =
                h.containsKey("Upstash-Callback") ? validUrl(h.get("Upstash-Callback"), "Upstash-Callback") : null;
        String failureCallback = h.containsKey("Upstash-Failure-Callback")
                ? validUrl(h.get("Upstash-Failure-Callback"), "Upstash-Failure-Callback")
                : null;
        return new PublishSpec(
                dest,
                method,
                contentType,
                Map.copyOf(forward),
                Map.copyOf(source),
                Map.copyOf(callbackForward),
                Map.copyOf(failureForward),
                retries,
                retryDelay,
                delay,
                notBefore,
                timeout,
                dedup,
                callback,
                failureCallback,
                body);
    }

    /** {@code Upstash-Delay}: a duration such as {@code 1h30m}, at most {@link QStashDurations#MAX_DELAY}. */
    private static Duration delay(String header) {
        if (header == null) {
            return null;
        }
        return QStashDurations.parse(header)
                .filter(d -> d.compareTo(QStashDurations.MAX_DELAY) <= 0)
                .orElseThrow(() -> new IllegalArgumentException("invalid Upstash-Delay header: '" + header
                        + "' (use a number and a unit such as 10s, 3m, 1h30m or 1d, at most " + MAX_DELAY_TEXT
                        + ")"));
    }

    /**
     * {@code Upstash-Not-Before}: a Unix time in seconds, at most {@link QStashDurations#MAX_DELAY} ahead
     * of now (a time in the past means at once).
     */
    private static Long notBefore(String header, EmulatorSettings s) {
        if (header == null) {
            return null;
        }
        long latest = s.clock().instant().plus(QStashDurations.MAX_DELAY).getEpochSecond();
        long notBefore;
        try {
            notBefore = Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            notBefore = -1;
        }
        if (notBefore < 0 || notBefore > latest) {
            throw new IllegalArgumentException("invalid Upstash-Not-Before header: '" + header
                    + "' (use a Unix time in seconds, at most " + MAX_DELAY_TEXT + " from now)");
        }
        return notBefore;
    }

    /** A message QStash publishes itself: a callback or failure callback. */
    static PublishSpec internal(
            String destination,
            Map<String, String> forwardHeaders,
            int maxRetries,
            RetryDelayExpression retryDelay,
            byte[] body) {
        return new PublishSpec(
                destination,
                "POST",
                "application/json",
                Map.copyOf(forwardHeaders),
                Map.of("Content-Type", "application/json"),
                Map.of(),
                Map.of(),
                maxRetries,
                retryDelay,
                null,
                null,
                null,
                null,
                null,
                null,
                body);
    }

    /** Adds a forwarded header without its prefix; hop-by-hop and QStash-owned names are dropped. */
    private static void putForwarded(Map<String, String> into, String header, String prefix, String value) {
        String name = header.substring(prefix.length());
        if (name.isEmpty() || !TOKEN.matcher(name).matches()) {
            throw new IllegalArgumentException("header " + header + " cannot be forwarded: invalid name");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + header + " cannot be forwarded: invalid value");
        }
        if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
            into.put(canonical(name), value);
        }
    }

    /** A header name in canonical form, as Go servers such as QStash write it: {@code My-Header}. */
    static String canonical(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return sb.toString();
    }

    private static String validUrl(String url, String what) {
        if (url == null) {
            throw new IllegalArgumentException("invalid " + what + ": missing");
        }
        String u = url.strip();
        try {
            URI uri = new URI(u);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getPort() > MAX_PORT) {
                throw new IllegalArgumentException(
                        "invalid " + what + " url '" + u + "': port " + uri.getPort() + " is out of range");
            }
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return u;
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid " + what + " url: " + e.getReason());
        }
        throw new IllegalArgumentException(
                "invalid " + what + " url '" + u + "': it must be an absolute URL starting with http:// or https://");
    }

    private static String contentId(String destination, byte[] body, String contentType, Map<String, String> forward) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(destination.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(body);
            sha.update((byte) 0);
            sha.update(String.valueOf(contentType).getBytes(StandardCharsets.UTF_8));
            new TreeMap<>(forward).forEach((k, v) -> {
                sha.update((byte) 0);
                sha.update((k.toLowerCase(Locale.ROOT) + ":" + v).getBytes(StandardCharsets.UTF_8));
            });
            return "content-" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM, which indicates a broken runtime", e);
        }
    }

    /** Content-Type and forwarded headers as QStash lists them in a message: name to values. */
    Map<String, String> deliveredHeaders() {
        Map<String, String> m = new LinkedHashMap<>();
        if (contentType != null) {
            m.put("Content-Type", contentType);
        }
        m.putAll(forwardHeaders);
        return m;
    }
}
