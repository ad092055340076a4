package io.durableruns.examples.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durableruns.qstash.QStashConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaults_are_the_zero_setup_server() {
        ServerConfig c = ServerConfig.fromEnvironment(Map.of());
        assertThat(c.port()).isEqualTo(7070);
        assertThat(c.databaseUrl()).isEqualTo("jdbc:sqlite:./data/runs.db");
        assertThat(c.workers()).isEqualTo(8);
        assertThat(c.prefetch()).isZero();
        assertThat(c.apiToken()).isNull();
        assertThat(c.qstash()).isFalse();
    }

    @Test
    void a_bad_number_is_refused_naming_the_variable() {
        assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("PORT", "seventy")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PORT must be an integer from 0 to 65535, was 'seventy'");
        assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("RUNS_WORKERS", "0")))
                .hasMessageContaining("RUNS_WORKERS");
        assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("RUNS_PREFETCH", "-1")))
                .hasMessageContaining("RUNS_PREFETCH must be an integer from 0 to 512, was '-1'");
        assertThat(ServerConfig.fromEnvironment(Map.of("RUNS_PREFETCH", "7")).prefetch())
                .isEqualTo(7);
    }

    @Test
    void a_prefetch_with_qstash_is_refused_naming_both_variables() {
        assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("RUNS_PREFETCH", "4", "QSTASH_TOKEN", "t")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RUNS_PREFETCH applies to the local dispatcher")
                .hasMessageContaining("QSTASH_TOKEN");
    }

    @Test
    void secrets_never_appear_in_the_description() {
        ServerConfig c = ServerConfig.fromEnvironment(Map.of(
                "DATABASE_URL", "postgres://runs:hunter2@db:5432/runs",
                "RUNS_API_TOKEN", "tok-secret",
                "QSTASH_TOKEN", "qs-secret"));
        assertThat(c.toString()).doesNotContain("hunter2", "tok-secret", "qs-secret");
        assertThat(c.redactedDatabaseUrl()).isEqualTo("postgres://***@db:5432/runs");
        assertThat(ServerConfig.fromEnvironment(Map.of("DATABASE_URL", "jdbc:postgresql://h/db?user=u&password=p1"))
                        .redactedDatabaseUrl())
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***");
    }

    @Test
    void the_postgresql_pool_has_room_for_every_worker_and_the_api() {
        ServerConfig pg =
                ServerConfig.fromEnvironment(Map.of("DATABASE_URL", "postgres://u@db/runs", "RUNS_WORKERS", "12"));
        assertThat(RunsServer.storeOptions(pg).maximumPoolSize()).isEqualTo(18);
        assertThat(RunsServer.storeOptions(ServerConfig.fromEnvironment(Map.of()))
                        .maximumPoolSize())
                .isZero();
    }

    @Test
    void qstash_mode_without_its_keys_fails_at_start_naming_the_variable_and_opens_nothing() {
        Path db = dir.resolve("runs.db");
        assertThatThrownBy(() -> RunsServer.start(Map.of("DATABASE_URL", "jdbc:sqlite:" + db, "QSTASH_TOKEN", "t")))
                .isInstanceOf(QStashConfigurationException.class)
                .hasMessageContaining("QSTASH_CURRENT_SIGNING_KEY");
        assertThat(Files.exists(db)).isFalse();
    }
}
