package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The queue's statements that take a batch of intents are planned once per connection, not on every execution.
 * The store runs on a pool of one connection, so that the session's own {@code pg_prepared_statements} can be read
 * after it: PostgreSQL counts there how often each prepared statement got a custom plan (planned for the values of
 * that execution) and how often it ran on its cached generic plan.
 */
class PostgresPlanCacheTest {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private static final int EXECUTIONS = 20;

    private HikariDataSource oneConnection;
    private JdbcRunStore store;

    @BeforeEach
    void open() throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(DATABASE.url());
        config.setMaximumPoolSize(1);
        oneConnection = new HikariDataSource(config);
        store = JdbcRunStore.postgres(
                oneConnection,
                JdbcOptions.newBuilder().schema(DATABASE.schema()).build());
        queueOfDueIntents(2_000);
    }

    @AfterEach
    void close() {
        store.close();
        oneConnection.close();
    }

    @Test
    void claiming_due_intents_runs_on_a_cached_plan() throws SQLException {
        for (int i = 0; i < EXECUTIONS; i++) {
            store.inTransaction(tx -> tx.intents().claimDue(Instant.now(), 4));
        }
        Plans plans = plansOf("DELETE FROM %dispatch_intents%FOR UPDATE OF i, r SKIP LOCKED%");
        assertThat(plans.generic()).as(plans.toString()).isGreaterThanOrEqualTo(EXECUTIONS - 10);
    }

    @Test
    void leasing_intents_for_qstash_runs_on_a_cached_plan() throws SQLException {
        for (int i = 0; i < EXECUTIONS; i++) {
            Instant now = Instant.now();
            store.inTransaction(tx -> tx.intents().lease("outbox", now, now.plus(Duration.ofSeconds(30)), 50));
        }
        Plans plans = plansOf("UPDATE %dispatch_intents SET lease_owner%FOR UPDATE SKIP LOCKED%");
        assertThat(plans.generic()).as(plans.toString()).isGreaterThanOrEqualTo(EXECUTIONS - 10);
    }

    /**
     * A queue of {@code n} due intents of as many runs, with the planner's statistics: the estimates the plan cache
     * weighs depend on them (on an empty table, every plan is cheap).
     */
    private static void queueOfDueIntents(int n) throws SQLException {
        DATABASE.truncate();
        String t = "\"" + DATABASE.schema() + "\".";
        try (Connection c = DATABASE.connect();
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + t + "runs (id, graph, version, status, input, sinks_remaining, created_at,"
                    + " updated_at) SELECT 'run_' || g, 'g', 1, 'QUEUED', '{}', 1, now(), now()"
                    + " FROM generate_series(1, " + n + ") g");
            s.execute("INSERT INTO " + t + "dispatch_intents (id, run_id, step, attempt, due_at, created_at)"
                    + " SELECT 'int_' || g, 'run_' || g, 'a', 1, now() - interval '1 minute', now()"
                    + " FROM generate_series(1, " + n + ") g");
            s.execute("ANALYZE " + t + "runs");
            s.execute("ANALYZE " + t + "dispatch_intents");
        }
    }

    private record Plans(long custom, long generic, String statement) {}

    /** The plan counts of the one prepared statement of the pool's session whose text is like {@code pattern}. */
    private Plans plansOf(String pattern) throws SQLException {
        try (Connection c = oneConnection.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT custom_plans, generic_plans, statement"
                        + " FROM pg_prepared_statements WHERE statement LIKE ?")) {
            s.setString(1, pattern);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("a prepared statement like " + pattern).isTrue();
                Plans plans = new Plans(rs.getLong(1), rs.getLong(2), rs.getString(3));
                assertThat(rs.next())
                        .as("a second prepared statement like " + pattern)
                        .isFalse();
                return plans;
            }
        }
    }
}
