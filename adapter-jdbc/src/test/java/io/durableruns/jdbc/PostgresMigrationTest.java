package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.core.contract.AtOnce;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.testkit.RunTestKit;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.jdbc.internal.Migrator;
import io.durableruns.ports.StoreException;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Schema migrations on PostgreSQL: once, idempotent, race-free, and inside a schema or behind a prefix. */
class PostgresMigrationTest {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678901Z");

    private static RunRecord run(String id) {
        return new RunRecord(
                id, "g", 1, RunStatus.QUEUED, new ObjectMapper().createObjectNode(), null, null, 1, T0, T0, null);
    }

    private static long query(String sql) throws SQLException {
        try (Connection c = DATABASE.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static JdbcRunStore open(String schema, String prefix, boolean migrate) {
        return DATABASE.openStore(b -> b.schema(schema).tablePrefix(prefix).migrate(migrate));
    }

    @Test
    void migrations_are_applied_once_and_a_restart_keeps_the_data() throws Exception {
        String schema = DATABASE.schema() + "_restart";
        JdbcRunStore first = open(schema, "", true);
        first.inTransaction(tx -> {
            tx.runs().insert(run("run_00000000000000000000000001"));
            return null;
        });
        first.close();

        JdbcRunStore second = open(schema, "", true);
        var found = second.inTransaction(tx -> tx.runs().find("run_00000000000000000000000001"));
        assertThat(found).isPresent();
        assertThat(query("SELECT count(*) FROM \"" + schema + "\".schema_history"))
                .isEqualTo(Migrator.migrationCount());
        assertThat(second.readiness().ready()).isTrue();
    }

    @Test
    void processes_migrating_at_once_apply_each_migration_once() throws Exception {
        String schema = DATABASE.schema() + "_race";
        for (JdbcRunStore store : AtOnce.call(4, Duration.ofSeconds(60), () -> open(schema, "", true))) {
            assertThat(store.readiness().ready()).isTrue();
        }
        assertThat(query("SELECT count(*) FROM \"" + schema + "\".schema_history"))
                .isEqualTo(Migrator.migrationCount());
    }

    @Test
    void table_prefixes_keep_two_stores_apart_in_one_schema() throws Exception {
        String schema = DATABASE.schema() + "_shared";
        JdbcRunStore alpha = open(schema, "alpha_", true);
        JdbcRunStore beta = open(schema, "beta_", true);
        alpha.inTransaction(tx -> {
            tx.runs().insert(run("run_00000000000000000000000001"));
            return null;
        });
        var inBeta = beta.inTransaction(tx -> tx.runs().find("run_00000000000000000000000001"));
        assertThat(inBeta).isEmpty();
        assertThat(query("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema
                        + "' AND table_name LIKE 'alpha\\_%'"))
                .isEqualTo(9);
        assertThat(query("SELECT count(*) FROM \"" + schema + "\".alpha_runs")).isEqualTo(1);
        assertThat(query("SELECT count(*) FROM \"" + schema + "\".beta_runs")).isZero();
    }

    @Test
    void a_store_that_does_not_migrate_runs_chains_on_a_schema_without_the_link_functions() throws Exception {
        String schema = DATABASE.schema() + "_v5";
        migratedBackTo(schema, 5, "commit_finish", "commit_link_recording", "commit_link");
        runsAChainOn(schema);
    }

    @Test
    void a_store_that_does_not_migrate_runs_chains_on_a_schema_without_the_finish_function() throws Exception {
        String schema = DATABASE.schema() + "_v6";
        migratedBackTo(schema, 6, "commit_finish");
        runsAChainOn(schema);
    }

    /** A schema as migration {@code version} left it: migrated, then the later functions and history dropped. */
    private void migratedBackTo(String schema, int version, String... laterFunctions) throws SQLException {
        open(schema, "", true).close();
        try (Connection c = DATABASE.connect();
                Statement s = c.createStatement()) {
            for (String function : laterFunctions) {
                s.execute("DROP FUNCTION \"" + schema + "\"." + function);
            }
            s.execute("DELETE FROM \"" + schema + "\".schema_history WHERE version > " + version);
        }
    }

    private void runsAChainOn(String schema) {
        try (JdbcRunStore store = open(schema, "", false)) {
            StepGraph chain = StepGraph.builder("chain", 1)
                    .step("one", ctx -> 1)
                    .step("two", List.of("one"), ctx -> ctx.output("one").asInt() + 1)
                    .build();
            RunTestKit kit = RunTestKit.over(store, new GraphRegistry().register(chain), new SettableClock(T0));
            String id = kit.start("chain", Map.of());
            StepLease first = kit.engine().claimDue("w1", 1).get(0);

            StepLease second = kit.engine().work(first, true).next().orElseThrow();
            kit.engine().work(second, true);

            assertThat(second.step()).isEqualTo("two");
            assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(kit.run(id).run().output().path("two").asInt()).isEqualTo(2);
        }
    }

    @Test
    void a_store_that_does_not_migrate_is_not_ready_until_someone_migrates() {
        String schema = DATABASE.schema() + "_manual";
        JdbcRunStore manual = open(schema, "", false);
        JdbcRunStore.Readiness before = manual.readiness();
        assertThat(before.ready()).isFalse();
        assertThat(before.detail()).contains("not migrated");

        open(schema, "", true);

        assertThat(manual.readiness().ready()).isTrue();
    }

    @Test
    void a_migration_edited_after_it_was_applied_is_refused() throws Exception {
        String schema = DATABASE.schema() + "_edited";
        open(schema, "", true).close();
        try (Connection c = DATABASE.connect();
                Statement s = c.createStatement()) {
            s.execute("UPDATE \"" + schema + "\".schema_history SET checksum = 'f00' WHERE version = 1");
        }
        assertThatThrownBy(() -> open(schema, "", true))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("V001__create_tables.sql")
                .hasMessageContaining("must never change");
    }
}
