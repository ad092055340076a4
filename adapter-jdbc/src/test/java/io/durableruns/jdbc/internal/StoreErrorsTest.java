package io.durableruns.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.ports.StoreException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;
import org.junit.jupiter.api.Test;

/** Which database failures are transient: worth trying an idempotent transaction again shortly. */
class StoreErrorsTest {
    private static StoreException translated(Throwable e) {
        return (StoreException) StoreErrors.translate(e, Dialect.POSTGRESQL, "commit");
    }

    @Test
    void broken_connections_restarts_deadlocks_and_busy_locks_are_transient() {
        assertThat(translated(new SQLException("I/O error", "08006")).isTransient())
                .isTrue();
        assertThat(translated(new SQLException("terminating connection", "57P01"))
                        .isTransient())
                .isTrue();
        assertThat(translated(new SQLException("deadlock detected", "40P01")).isTransient())
                .isTrue();
        assertThat(translated(new SQLException("could not serialize", "40001")).isTransient())
                .isTrue();
        assertThat(translated(new ConnectionException(new SQLTransientConnectionException("pool timeout")))
                        .isTransient())
                .isTrue();
        assertThat(translated(new SQLException("[SQLITE_BUSY] database is locked"))
                        .isTransient())
                .isTrue();
    }

    @Test
    void bugs_and_bad_data_are_not() {
        assertThat(translated(new SQLException("duplicate key", "23505")).isTransient())
                .isFalse();
        assertThat(translated(new SQLException("relation does not exist", "42P01"))
                        .isTransient())
                .isFalse();
        assertThat(translated(new SQLException("no state")).isTransient()).isFalse();
        assertThat(new StoreException("the run store is closed").isTransient()).isFalse();
    }
}
