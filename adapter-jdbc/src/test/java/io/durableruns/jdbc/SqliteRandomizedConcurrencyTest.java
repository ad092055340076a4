package io.durableruns.jdbc;

import io.durableruns.core.contract.RandomizedConcurrencyContract;
import io.durableruns.ports.out.RunStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The randomized concurrency test on a SQLite file. */
class SqliteRandomizedConcurrencyTest extends RandomizedConcurrencyContract {
    @TempDir
    Path dir;

    private JdbcRunStore store;

    @Override
    protected List<RunStore> stores() {
        if (store == null) {
            store = JdbcRunStore.sqlite(dir.resolve("runs.db"), JdbcOptions.defaults());
        }
        return List.of(store);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }
}
