package io.durableruns.examples.dispatch;

import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher contract with the QStash transport (through the emulator) on SQLite. */
class QStashSqliteDispatcherTest extends DispatcherContract {
    @TempDir
    Path dir;

    @Override
    protected Harness open(Options options, GraphRegistry registry) throws IOException {
        return QStashHarness.open(
                JdbcRunStore.sqlite(dir.resolve("runs.db"), JdbcOptions.defaults()), options, registry);
    }
}
