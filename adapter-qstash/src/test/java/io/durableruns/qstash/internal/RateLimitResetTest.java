package io.durableruns.qstash.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitResetTest {
    private static final Instant NOW = Instant.parse("2026-02-01T10:00:00Z");

    private static java.util.Optional<Instant> reset(Map<String, List<String>> headers) {
        return RateLimitReset.resetAt(RateLimitReset.lookup(headers), NOW);
    }

    @Test
    void reads_unix_seconds_unix_millis_relative_seconds_and_durations() {
        long s = NOW.getEpochSecond() + 30;
        assertThat(reset(Map.of("Burst-RateLimit-Reset", List.of(Long.toString(s)))))
                .contains(NOW.plusSeconds(30));
        assertThat(reset(Map.of("ratelimit-reset", List.of(Long.toString(s * 1000)))))
                .contains(NOW.plusSeconds(30));
        assertThat(reset(Map.of("x-ratelimit-reset", List.of("12")))).contains(NOW.plusSeconds(12));
        assertThat(reset(Map.of("x-ratelimit-reset-requests", List.of("6m0s")))).contains(NOW.plusSeconds(360));
    }

    @Test
    void takes_the_latest_reset_and_falls_back_to_retry_after() {
        assertThat(reset(Map.of("Burst-RateLimit-Reset", List.of("5"), "RateLimit-Reset", List.of("60"))))
                .contains(NOW.plusSeconds(60));
        assertThat(reset(Map.of("Retry-After", List.of("7")))).contains(NOW.plusSeconds(7));
        assertThat(reset(Map.of())).isEmpty();
        assertThat(reset(Map.of("RateLimit-Reset", List.of("99999999")))).contains(NOW.plusSeconds(86_400));
    }

    @Test
    void resets_beyond_a_long_or_far_in_the_future_are_at_most_a_day_away_and_never_throw() {
        for (String value : List.of("1e300", "9223372036854775807999", "99999999999999999999d", "Infinity")) {
            Instant at = reset(Map.of("RateLimit-Reset", List.of(value))).orElse(NOW);
            assertThat(at).as(value).isBetween(NOW, NOW.plusSeconds(86_400));
        }
    }
}
