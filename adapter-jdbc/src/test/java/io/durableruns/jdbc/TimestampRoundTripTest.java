package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instants are UTC whatever the time zones: the JVM runs in America/Sao_Paulo (see the Surefire configuration)
 * and PostgreSQL sessions in Asia/Kathmandu (+05:45).
 */
class TimestampRoundTripTest {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private static final List<Instant> INSTANTS = List.of(
            Instant.parse("1970-01-01T00:00:00Z"),
            Instant.parse("1899-12-31T23:59:59.999999Z"),
            Instant.parse("1969-12-31T23:59:59.000001Z"),
            Instant.parse("2018-11-04T02:30:00.000001Z"),
            Instant.parse("2026-03-29T01:30:00.500000Z"),
            Instant.parse("2199-12-31T23:59:59.999999Z"),
            Instant.now().truncatedTo(ChronoUnit.MICROS));

    @TempDir
    static Path folder;

    private static RunRecord run(int n, Instant at) {
        return new RunRecord(
                String.format("run_%026d", n),
                "g",
                1,
                RunStatus.SUCCEEDED,
                new ObjectMapper().createObjectNode(),
                null,
                null,
                0,
                at,
                at.plusNanos(1000),
                at.plusSeconds(1));
    }

    private static void assertRoundTrips(JdbcRunStore store) {
        for (int i = 0; i < INSTANTS.size(); i++) {
            RunRecord written = run(i, INSTANTS.get(i));
            store.inTransaction(tx -> {
                tx.runs().insert(written);
                return null;
            });
            RunRecord read =
                    store.inTransaction(tx -> tx.runs().find(written.id())).orElseThrow();
            assertThat(read).isEqualTo(written);
        }
    }

    @Test
    void the_jvm_under_test_is_not_in_utc() {
        assertThat(TimeZone.getDefault().getID()).isEqualTo("America/Sao_Paulo");
    }

    @Test
    void postgresql_round_trips_instants_exactly_and_stores_them_as_utc() throws Exception {
        JdbcRunStore store = DATABASE.openStore();
        assertRoundTrips(store);
        try (Connection c = DATABASE.connect();
                PreparedStatement s =
                        c.prepareStatement("SELECT current_setting('TimeZone'), to_char(created_at AT TIME"
                                + " ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM \"" + DATABASE.schema()
                                + "\".runs WHERE id = ?")) {
            s.setString(1, run(4, INSTANTS.get(4)).id());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(PostgresTestDatabase.SESSION_TIME_ZONE);
                assertThat(rs.getString(2)).isEqualTo("2026-03-29T01:30:00.500000Z");
            }
        }
    }

    @Test
    void sqlite_round_trips_instants_exactly_as_epoch_microseconds() throws Exception {
        Path file = folder.resolve("time.db");
        try (JdbcRunStore store = JdbcRunStore.sqlite(file, JdbcOptions.defaults())) {
            assertRoundTrips(store);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                PreparedStatement s = c.prepareStatement("SELECT created_at FROM runs WHERE id = ?")) {
            s.setString(1, run(2, INSTANTS.get(2)).id());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(-999_999L);
            }
        }
    }

    @Test
    void nanoseconds_are_truncated_to_microseconds_in_both_dialects() {
        Instant precise = Instant.parse("2026-06-01T10:00:00.123456789Z");
        JdbcRunStore postgres = DATABASE.openStore();
        try (JdbcRunStore sqlite = JdbcRunStore.sqlite(folder.resolve("nanos.db"), JdbcOptions.defaults())) {
            for (JdbcRunStore store : List.of(postgres, sqlite)) {
                RunRecord written = run(100, precise);
                store.inTransaction(tx -> {
                    tx.runs().insert(written);
                    return null;
                });
                RunRecord read =
                        store.inTransaction(tx -> tx.runs().find(written.id())).orElseThrow();
                assertThat(read.createdAt()).isEqualTo(Instant.parse("2026-06-01T10:00:00.123456Z"));
            }
        }
    }
}
