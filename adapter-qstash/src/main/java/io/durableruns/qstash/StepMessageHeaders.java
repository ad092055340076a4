package io.durableruns.qstash;

import io.durableruns.ports.model.RetryPolicyDescription;
import io.durableruns.ports.model.StepDescription;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The QStash request headers of one step message, derived from the step's retry policy and timeout. */
final class StepMessageHeaders {
    private static final Pattern DEDUP_SAFE = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private StepMessageHeaders() {}

    /**
     * @param step the step as registered, or null when its graph version is unknown (QStash defaults apply)
     * @param extraRetries redeliveries added on top of the policy's
     * @param timeoutMargin added to the step timeout so QStash does not cut a request the engine still answers
     */
    static Map<String, String> forStep(
            String intentId,
            Instant dueAt,
            Instant now,
            StepDescription step,
            String failureUrl,
            int extraRetries,
            Duration timeoutMargin) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        h.put("Upstash-Method", "POST");
        h.put("Upstash-Deduplication-Id", deduplicationId(intentId));
        h.put("Upstash-Failure-Callback", failureUrl);
        if (step != null && step.retry() != null) {
            RetryPolicyDescription policy = step.retry();
            h.put("Upstash-Retries", Integer.toString(Math.max(0, policy.maxAttempts() - 1) + extraRetries));
            h.put("Upstash-Retry-Delay", retryDelay(policy));
        } else if (extraRetries > 0) {
            h.put("Upstash-Retries", Integer.toString(3 + extraRetries));
        }
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

    /**
     * QStash's expression for the policy's backoff before retry {@code retried + 1}:
     * {@code min(max, initial * pow(multiplier, retried))} in milliseconds. Jitter cannot be expressed and is
     * left out (the delay is the policy's upper bound).
     */
    static String retryDelay(RetryPolicyDescription policy) {
        long initial = policy.initialBackoff().toMillis();
        long max = Math.max(initial, policy.maxBackoff().toMillis());
        if (policy.multiplier() == 1.0 || initial == 0) {
            return Long.toString(initial);
        }
        String multiplier =
                BigDecimal.valueOf(policy.multiplier()).stripTrailingZeros().toPlainString();
        return "min(" + max + ", " + initial + " * pow(" + multiplier + ", retried))";
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
