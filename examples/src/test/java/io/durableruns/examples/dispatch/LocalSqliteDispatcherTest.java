package io.durableruns.examples.dispatch;

import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher contract with the local transport on SQLite. */
class LocalSqliteDispatcherTest extends DispatcherContract {
    @TempDir
    Path dir;

    @Override
    protected Harness open(Options options, GraphRegistry registry) {
        return new LocalHarness(JdbcRunStore.sqlite(dir.resolve("runs.db"), JdbcOptions.defaults()), options, registry);
    }
}
