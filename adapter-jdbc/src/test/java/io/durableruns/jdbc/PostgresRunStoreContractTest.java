package io.durableruns.jdbc;

import io.durableruns.core.contract.RunStoreContract;
import io.durableruns.ports.model.GraphVersionRecord;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The run-store contract against PostgreSQL: one store on this class's schema, emptied before each test. */
class PostgresRunStoreContractTest extends RunStoreContract {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private static JdbcRunStore shared;
    private static JdbcRunStore otherProcess;

    @Override
    protected RunStore newStore() {
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

    /** Another process's pool commits the rival while this process's transaction is open. */
    @Override
    protected void recordMeanwhile(StoreTransaction current, GraphVersionRecord rival) {
        if (otherProcess == null) {
            otherProcess = DATABASE.openStore();
        }
        otherProcess.inTransaction(tx -> tx.graphVersions().insertIfAbsent(rival));
    }
}
