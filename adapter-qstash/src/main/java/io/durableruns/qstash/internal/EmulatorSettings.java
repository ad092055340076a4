package io.durableruns.qstash.internal;

import java.time.Clock;
import java.time.Duration;

/**
 * The settings of the local QStash emulator, validated by {@code QStashEmulator.Builder}.
 *
 * @param timeScale factor applied to every wait QStash would make (delays, Not-Before, backoff, Retry-After)
 * @param dedupWindow how long a deduplication id is remembered (not scaled)
 * @param duplicateDeliveries deliver every message one extra time (concurrently or after the first attempt)
 * @param randomOrder deliver due messages in random order
 * @param failPublishFraction the fraction of publish requests answered 500 without enqueueing anything
 * @param deliveryDelay added before every delivery (not scaled)
 */
public record EmulatorSettings(
        String host,
        int port,
        String token,
        String currentSigningKey,
        String nextSigningKey,
        double timeScale,
        Duration dedupWindow,
        int defaultRetries,
        int maxRetries,
        Duration deliveryTimeout,
        int deliveryThreads,
        int maxPendingMessages,
        int maxDlqMessages,
        int maxBodyBytes,
        boolean duplicateDeliveries,
        boolean randomOrder,
        double failPublishFraction,
        Duration deliveryDelay,
        long seed,
        Clock clock) {

    /**
     * The wait QStash would make, scaled, in nanoseconds: at most {@code Long.MAX_VALUE / 4} (73 years), so
     * that adding it to {@link System#nanoTime()} cannot overflow, however long the wait.
     */
    public long scaledNanos(Duration wait) {
        if (wait.isNegative() || wait.isZero()) {
            return 0;
        }
        double nanos = (wait.getSeconds() * 1e9 + wait.getNano()) * timeScale;
        return nanos >= Long.MAX_VALUE / 4.0 ? Long.MAX_VALUE / 4 : (long) nanos;
    }
}
