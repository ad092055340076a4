package io.durableruns.jdbc;

import java.sql.SQLException;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The local dispatcher over PostgreSQL, listening for notifications (its own are ignored). */
class PostgresLocalDispatcherTest extends LocalDispatcherTestBase {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private static JdbcRunStore shared;

    @Override
    protected JdbcRunStore newStore() {
        if (shared == null) {
            shared = DATABASE.openStore();
        }
        try {
            DATABASE.truncate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not empty the test schema", e);
        }
        return shared;
    }
}
