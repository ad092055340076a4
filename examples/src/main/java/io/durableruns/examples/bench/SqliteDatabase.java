package io.durableruns.examples.bench;

import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * SQLite: a fresh database file per repetition in a temporary folder, deleted afterwards. The store runs with its
 * defaults (WAL, {@code synchronous=NORMAL}, one pooled connection). SQLite runs inside this JVM, so its CPU time is
 * part of the JVM's, and there is no server-side transaction counter.
 */
final class SqliteDatabase implements BenchDatabase {
    private final Path folder;
    private int files;
    private Path file;

    SqliteDatabase() {
        try {
            this.folder = Files.createTempDirectory("durable-runs-bench");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary folder for SQLite", e);
        }
    }

    @Override
    public String name() {
        return "SQLite";
    }

    @Override
    public String version() {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
            rs.next();
            return "SQLite " + rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("the SQLite driver is missing: " + e.getMessage(), e);
        }
    }

    @Override
    public void prepare() {
        file = folder.resolve("bench-" + (++files) + ".db");
        open(1).close();
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE bench_ceiling (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the ceiling table: " + e.getMessage(), e);
        }
    }

    /** The store's default pool (one connection) whatever {@code poolSize} says: SQLite has one writer. */
    @Override
    public JdbcRunStore open(int poolSize) {
        return JdbcRunStore.sqlite(file, JdbcOptions.defaults());
    }

    /** The one connection of an SQLite store's pool is open when the store is. */
    @Override
    public void awaitPool(int connections) {}

    @Override
    public boolean countsTransactions() {
        return false;
    }

    @Override
    public TxCount mark() {
        return TxCount.NONE;
    }

    @Override
    public OptionalDouble serverCpuSeconds() {
        return OptionalDouble.empty();
    }

    @Override
    public RawInsertCeiling.Result ceiling(int threads, Duration warmup, Duration measure) {
        try (Connection c = connect()) {
            return RawInsertCeiling.sharedConnection(
                    threads, c, "INSERT INTO bench_ceiling (payload) VALUES (?)", warmup, measure);
        } catch (SQLException e) {
            throw new IllegalStateException("the SQLite ceiling failed: " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA busy_timeout=10000");
        }
        return c;
    }

    @Override
    public void cleanup() {
        if (file != null) {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                try {
                    Files.deleteIfExists(Path.of(file + suffix));
                } catch (IOException e) {
                    System.out.println("  (warning: could not delete " + file + suffix + ": " + e.getMessage() + ")");
                }
            }
            file = null;
        }
    }

    @Override
    public void close() {
        cleanup();
        try {
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            System.out.println("  (warning: could not delete " + folder + ": " + e.getMessage() + ")");
        }
    }
}
