package io.durableruns.jdbc;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The local dispatcher over SQLite (one writer connection). */
class SqliteLocalDispatcherTest extends LocalDispatcherTestBase {
    private static final AtomicInteger FILES = new AtomicInteger();

    @TempDir
    static Path folder;

    @Override
    protected JdbcRunStore newStore() {
        return JdbcRunStore.sqlite(
                folder.resolve("dispatch-" + FILES.incrementAndGet() + ".db"), JdbcOptions.defaults());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }
}
