package io.durableruns.qstash.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * When a rate-limited (429) QStash request may be tried again, read from the reset headers QStash sends:
 * {@code Burst-RateLimit-Reset}, {@code RateLimit-Reset} or {@code x-ratelimit-reset(-requests)}, or else
 * {@code Retry-After}. A reset value is read as a Unix time in milliseconds or seconds when it is that
 * large, otherwise as seconds from now; a duration such as {@code 1s} or {@code 6m0s} is accepted too.
 */
public final class RateLimitReset {
    private static final List<String> HEADERS =
            List.of("Burst-RateLimit-Reset", "RateLimit-Reset", "x-ratelimit-reset", "x-ratelimit-reset-requests");
    private static final long UNIX_MILLIS_THRESHOLD = 100_000_000_000L;
    private static final long UNIX_SECONDS_THRESHOLD = 1_000_000_000L;

    private RateLimitReset() {}

    /**
     * @param header looks up a response header by name, case-insensitively; null when absent
     * @return the instant from which a request may be sent again, at most one day away
     */
    public static Optional<Instant> resetAt(Function<String, String> header, Instant now) {
        Optional<Instant> latest = Optional.empty();
        for (String name : HEADERS) {
            Optional<Instant> at = parse(header.apply(name), now);
            if (at.isPresent() && (latest.isEmpty() || at.get().isAfter(latest.get()))) {
                latest = at;
            }
        }
        if (latest.isEmpty()) {
            latest =
                    QStashDurations.retryAfter(header.apply("Retry-After"), now).map(now::plus);
        }
        return latest.map(at -> at.isAfter(now.plus(QStashDurations.ONE_DAY)) ? now.plus(QStashDurations.ONE_DAY) : at);
    }

    /** Case-insensitive lookup in a header map such as {@code HttpHeaders.map()}. */
    public static Function<String, String> lookup(Map<String, List<String>> headers) {
        return name -> {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null
                        && e.getKey().equalsIgnoreCase(name)
                        && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        };
    }

    static Optional<Instant> parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip();
        try {
            double n = Double.parseDouble(v);
            if (!(n >= 0) || Double.isInfinite(n)) {
                return Optional.empty();
            }
            if (n >= UNIX_MILLIS_THRESHOLD) {
                return Optional.of(Instant.ofEpochMilli((long) n));
            }
            if (n >= UNIX_SECONDS_THRESHOLD) {
                return Optional.of(Instant.ofEpochMilli((long) (n * 1000)));
            }
            return Optional.of(now.plus(Duration.ofMillis((long) (n * 1000))));
        } catch (NumberFormatException e) {
            return QStashDurations.parse(v).map(now::plus);
        }
    }
}
