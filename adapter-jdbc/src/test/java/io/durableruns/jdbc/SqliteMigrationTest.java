package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.core.contract.AtOnce;
import io.durableruns.jdbc.internal.Migrator;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema migrations on SQLite. */
class SqliteMigrationTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678901Z");

    @TempDir
    Path folder;

    private static RunRecord run(String id) {
        return new RunRecord(
                id, "g", 1, RunStatus.QUEUED, new ObjectMapper().createObjectNode(), null, null, 1, T0, T0, null);
    }

    private static long query(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void the_database_file_and_its_folders_are_created_and_migrated_once() throws Exception {
        Path file = folder.resolve("data/nested/runs.db");
        try (JdbcRunStore store = JdbcRunStore.fromUrl("jdbc:sqlite:" + file, JdbcOptions.defaults())) {
            store.inTransaction(tx -> {
                tx.runs().insert(run("run_00000000000000000000000001"));
                return null;
            });
        }
        try (JdbcRunStore again = JdbcRunStore.sqlite(file, JdbcOptions.defaults())) {
            var found = again.inTransaction(tx -> tx.runs().find("run_00000000000000000000000001"));
            assertThat(found).isPresent();
            assertThat(again.readiness().ready()).isTrue();
        }
        assertThat(query(file, "SELECT count(*) FROM schema_history")).isEqualTo(Migrator.migrationCount());
        assertThat(query(file, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"))
                .isEqualTo(1);
    }

    /**
     * Four stores opening one new file at once, forty times over: switching a new file to WAL needs its
     * exclusive lock, and SQLite answers a connection that would deadlock for it with an immediate
     * {@code SQLITE_BUSY} instead of waiting out the busy timeout (about one round in fifteen on two cores).
     */
    @Test
    void stores_opening_one_file_at_once_migrate_it_once() throws Exception {
        for (int round = 0; round < 40; round++) {
            Path file = folder.resolve("race-" + round + ".db");
            AtOnce.call(4, Duration.ofSeconds(60), () -> JdbcRunStore.sqlite(file, JdbcOptions.defaults()))
                    .forEach(JdbcRunStore::close);
            assertThat(query(file, "SELECT count(*) FROM schema_history"))
                    .as("round %d", round)
                    .isEqualTo(Migrator.migrationCount());
        }
    }

    @Test
    void a_table_prefix_keeps_two_stores_apart_in_one_file() throws Exception {
        Path file = folder.resolve("prefixed.db");
        try (JdbcRunStore alpha = JdbcRunStore.sqlite(
                        file, JdbcOptions.newBuilder().tablePrefix("alpha_").build());
                JdbcRunStore beta = JdbcRunStore.sqlite(
                        file, JdbcOptions.newBuilder().tablePrefix("beta_").build())) {
            alpha.inTransaction(tx -> {
                tx.runs().insert(run("run_00000000000000000000000001"));
                return null;
            });
            var inBeta = beta.inTransaction(tx -> tx.runs().find("run_00000000000000000000000001"));
            assertThat(inBeta).isEmpty();
        }
        assertThat(query(file, "SELECT count(*) FROM alpha_runs")).isEqualTo(1);
        assertThat(query(file, "SELECT count(*) FROM beta_runs")).isZero();
        assertThat(query(file, "SELECT count(*) FROM alpha_schema_history")).isEqualTo(Migrator.migrationCount());
    }

    @Test
    void sqlite_has_no_schemas() {
        assertThatThrownBy(() -> JdbcRunStore.sqlite(
                        folder.resolve("x.db"),
                        JdbcOptions.newBuilder().schema("runs").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tablePrefix");
    }
}
