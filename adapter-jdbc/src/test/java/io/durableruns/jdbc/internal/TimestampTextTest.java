package io.durableruns.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written timestamp text PostgreSQL reads is the instant, to the microsecond, whatever the instant. */
class TimestampTextTest {
    private static Instant parsed(String text) {
        return OffsetDateTime.parse(text).toInstant();
    }

    @Test
    void random_instants_across_the_years_read_back_to_the_microsecond() {
        Random random = new Random(5);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = Instant.ofEpochSecond(
                    -62_135_596_800L + (long) (random.nextDouble() * 315_537_897_600L), random.nextInt(1_000_000_000));
            assertThat(parsed(StoreContext.timestamp(instant))).isEqualTo(instant.truncatedTo(ChronoUnit.MICROS));
        }
    }

    @Test
    void the_edges_of_the_fast_range_and_beyond_it_read_back() {
        for (Instant instant : new Instant[] {
            Instant.parse("0001-01-01T00:00:00Z"),
            Instant.parse("9999-12-31T23:59:59.999999Z"),
            Instant.parse("0000-12-31T23:59:59.5Z"),
            Instant.parse("+10000-01-01T00:00:00.000001Z"),
            Instant.EPOCH,
            Instant.parse("2026-12-01T22:00:00.000001Z")
        }) {
            assertThat(OffsetDateTime.parse(StoreContext.timestamp(instant))
                            .toInstant()
                            .atOffset(ZoneOffset.UTC)
                            .toInstant())
                    .as(instant.toString())
                    .isEqualTo(instant.truncatedTo(ChronoUnit.MICROS));
        }
        assertThat(StoreContext.timestamp(Instant.parse("2026-12-01T22:00:00.000001Z")))
                .isEqualTo("2026-12-01T22:00:00.000001Z");
    }
}
