package io.durableruns.qstash.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class QStashDurationsTest {
    private static final Instant NOW = Instant.parse("2026-02-01T10:00:00Z");

    @Test
    void parses_qstash_durations_with_combined_units() {
        assertThat(QStashDurations.parse("10s")).contains(Duration.ofSeconds(10));
        assertThat(QStashDurations.parse("3m")).contains(Duration.ofMinutes(3));
        assertThat(QStashDurations.parse("1h30m")).contains(Duration.ofMinutes(90));
        assertThat(QStashDurations.parse("1d")).contains(Duration.ofDays(1));
        assertThat(QStashDurations.parse("6m5s")).contains(Duration.ofSeconds(365));
        assertThat(QStashDurations.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(QStashDurations.parse("10")).isEmpty();
        assertThat(QStashDurations.parse("10 s")).isEmpty();
        assertThat(QStashDurations.parse("s")).isEmpty();
        assertThat(QStashDurations.parseSecondsOrDuration("30")).contains(Duration.ofSeconds(30));
    }

    @Test
    void retry_after_accepts_seconds_an_http_date_or_a_duration_capped_at_a_day() {
        assertThat(QStashDurations.retryAfter("120", NOW)).contains(Duration.ofSeconds(120));
        assertThat(QStashDurations.retryAfter("6m5s", NOW)).contains(Duration.ofSeconds(365));
        String date =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(90).atOffset(ZoneOffset.UTC));
        assertThat(QStashDurations.retryAfter(date, NOW)).contains(Duration.ofSeconds(90));
        String past =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(90).atOffset(ZoneOffset.UTC));
        assertThat(QStashDurations.retryAfter(past, NOW)).contains(Duration.ZERO);
        assertThat(QStashDurations.retryAfter("999999", NOW)).contains(Duration.ofDays(1));
        assertThat(QStashDurations.retryAfter("3d", NOW)).contains(Duration.ofDays(1));
        assertThat(QStashDurations.retryAfter("soon", NOW)).isEmpty();
        assertThat(QStashDurations.retryAfter(null, NOW)).isEmpty();
    }

    @Test
    void retry_after_values_beyond_a_long_or_far_in_the_future_never_throw() {
        assertThat(QStashDurations.retryAfter("999999999999", NOW)).contains(Duration.ofDays(1));
        assertThat(QStashDurations.retryAfter("99999999999999999999", NOW)).isEmpty();
        assertThat(QStashDurations.retryAfter("99999999999999999999d", NOW)).isEmpty();
        assertThat(QStashDurations.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT", NOW))
                .contains(Duration.ofDays(1));
        assertThat(QStashDurations.parseSecondsOrDuration("999999999999")).contains(Duration.ofSeconds(999999999999L));
        assertThat(QStashDurations.parseSecondsOrDuration("99999999999999999999d"))
                .isEmpty();
    }
}
