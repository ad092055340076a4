package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.jdbc.internal.DatabaseUrl;
import io.durableruns.jdbc.internal.Dialect;
import io.durableruns.ports.StoreException;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.out.StoreTransaction;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry point: URLs, options, errors and readiness, without a PostgreSQL server. */
class JdbcRunStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path folder;

    private static RunRecord run(String id) {
        return new RunRecord(
                id, "g", 1, RunStatus.QUEUED, new ObjectMapper().createObjectNode(), null, null, 1, T0, T0, null);
    }

    @Test
    void a_postgres_url_becomes_a_jdbc_url_with_separate_credentials() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://runs:s%40cret@db.internal:6543/runs_db?sslmode=require");
        assertThat(url.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/runs_db?sslmode=require");
        assertThat(url.username()).isEqualTo("runs");
        assertThat(url.password()).isEqualTo("s@cret");
        assertThat(url.toString()).doesNotContain("s@cret").doesNotContain("s%40cret");
    }

    @Test
    void postgresql_scheme_urls_default_the_port_and_database() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://alice@localhost");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/postgres");
        assertThat(url.username()).isEqualTo("alice");
        assertThat(url.password()).isNull();
    }

    @Test
    void jdbc_urls_pass_through_and_hide_their_password_when_shown() {
        DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://h:5432/db?user=u&password=hunter2");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?user=u&password=hunter2");
        assertThat(url.toString()).doesNotContain("hunter2").contains("password=***");
    }

    @Test
    void sqlite_urls_name_a_file_and_in_memory_databases_are_refused() {
        assertThat(DatabaseUrl.parse("jdbc:sqlite:data/runs.db").sqliteFile()).isEqualTo(Path.of("data/runs.db"));
        assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:sqlite::memory:"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a file");
    }

    @Test
    void an_unsupported_url_is_refused_without_echoing_its_credentials() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://root:topsecret@h/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql://")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void an_unreachable_database_fails_with_a_store_exception_that_hides_the_password() {
        assertThatThrownBy(
                        () -> JdbcRunStore.fromUrl("postgres://u:hunter2@127.0.0.1:1/nowhere", JdbcOptions.defaults()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("not reachable")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void options_are_validated_when_built() {
        assertThatThrownBy(() -> JdbcOptions.newBuilder().schema("Bad-Name").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema");
        assertThatThrownBy(() -> JdbcOptions.newBuilder().tablePrefix("dr-").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tablePrefix");
        assertThatThrownBy(() -> JdbcOptions.newBuilder().maximumPoolSize(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maximumPoolSize");
    }

    @Test
    void a_constraint_violation_surfaces_as_a_store_exception_and_rolls_back() {
        try (JdbcRunStore store = JdbcRunStore.sqlite(folder.resolve("errors.db"), JdbcOptions.defaults())) {
            store.inTransaction(tx -> {
                tx.runs().insert(run("run_00000000000000000000000001"));
                return null;
            });
            assertThatThrownBy(() -> store.inTransaction(tx -> {
                        tx.runs().insert(run("run_00000000000000000000000002"));
                        tx.runs().insert(run("run_00000000000000000000000001"));
                        return null;
                    }))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("SQLite could not complete a transaction")
                    .hasMessageContaining("UNIQUE");
            var second = store.inTransaction(tx -> tx.runs().find("run_00000000000000000000000002"));
            assertThat(second).isEmpty();
        }
    }

    @Test
    void repositories_cannot_be_used_after_their_transaction() {
        try (JdbcRunStore store = JdbcRunStore.sqlite(folder.resolve("leak.db"), JdbcOptions.defaults())) {
            AtomicReference<StoreTransaction> leaked = new AtomicReference<>();
            store.inTransaction(tx -> {
                leaked.set(tx);
                return null;
            });
            assertThatThrownBy(() -> leaked.get().runs().find("run_00000000000000000000000001"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inside RunStore.inTransaction");
        }
    }

    @Test
    void a_closed_store_is_not_ready_and_refuses_work() {
        JdbcRunStore store = JdbcRunStore.sqlite(folder.resolve("closed.db"), JdbcOptions.defaults());
        assertThat(store.readiness().ready()).isTrue();
        store.close();
        assertThat(store.readiness().ready()).isFalse();
        assertThatThrownBy(() -> store.inTransaction(tx -> tx.intents().count()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
    }
}
