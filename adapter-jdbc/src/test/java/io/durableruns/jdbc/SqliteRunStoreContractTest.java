package io.durableruns.jdbc;

import io.durableruns.core.contract.RunStoreContract;
import io.durableruns.ports.out.RunStore;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The run-store contract against SQLite, a new database file per test. */
class SqliteRunStoreContractTest extends RunStoreContract {
    private static final AtomicInteger FILES = new AtomicInteger();

    @TempDir
    static Path folder;

    @Override
    protected RunStore newStore() {
        return JdbcRunStore.sqlite(folder.resolve("runs-" + FILES.incrementAndGet() + ".db"), JdbcOptions.defaults());
    }

    @Override
    protected void closeStore(RunStore store) {
        ((JdbcRunStore) store).close();
    }
}
