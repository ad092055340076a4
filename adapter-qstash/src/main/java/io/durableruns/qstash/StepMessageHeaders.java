package io.durableruns.qstash;

import io.durableruns.ports.model.StepDescription;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The QStash request headers of one step message. Each message starts one attempt, so {@code Upstash-Retries} only
 * covers transport failures (a fixed count with a short exponential delay), never the step's own retries.
 */
final class StepMessageHeaders {
    private static final Pattern DEDUP_SAFE = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    /** The delay before QStash's redelivery {@code retried + 1}, in ms: 1 s, 2 s, 4 s, ... up to 30 s. */
    static final String TRANSPORT_RETRY_DELAY = "min(30000, 1000 * pow(2, retried))";

    private StepMessageHeaders() {}

    /**
     * @param step the step as registered, or null when its graph version is unknown (no timeout is set)
     * @param transportRetries redeliveries QStash makes when our server does not acknowledge a message
     * @param timeoutMargin added to the step timeout so QStash does not cut a request the engine still answers
     */
    static Map<String, String> forStep(
            String intentId,
            Instant dueAt,
            Instant now,
            StepDescription step,
            String failureUrl,
            int transportRetries,
            Duration timeoutMargin) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Upstash-Method", "POST");
        h.put("Upstash-Deduplication-Id", deduplicationId(intentId));
        h.put("Upstash-Failure-Callback", failureUrl);
        h.put("Upstash-Retries", Integer.toString(transportRetries));
        h.put("Upstash-Retry-Delay", TRANSPORT_RETRY_DELAY);
        if (step != null
                && step.timeout() != null
                && !step.timeout().isZero()
                && !step.timeout().isNegative()) {
            h.put("Upstash-Timeout", ceilSeconds(step.timeout().plus(timeoutMargin)) + "s");
        }
        if (dueAt.isAfter(now)) {
            h.put("Upstash-Not-Before", Long.toString(ceilSeconds(dueAt)));
        }
        return h;
    }

    /** The intent id when it is QStash-safe ({@code [A-Za-z0-9_-]}), otherwise a stable safe digest of it. */
    static String deduplicationId(String intentId) {
        if (DEDUP_SAFE.matcher(intentId).matches()) {
            return intentId;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(intentId.getBytes(StandardCharsets.UTF_8));
            return "int-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM, which indicates a broken runtime", e);
        }
    }

    private static long ceilSeconds(Duration d) {
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }

    private static long ceilSeconds(Instant at) {
        return at.getEpochSecond() + (at.getNano() > 0 ? 1 : 0);
    }
}
