package io.durableruns.jdbc.internal;

import io.durableruns.ports.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.sqlite.SQLiteConfig;

/**
 * Puts a SQLite file in WAL mode once, before any pool opens it. WAL is a property of the file, so the pool's
 * connections need not ask for it again.
 *
 * <p>Switching a new file to WAL takes its exclusive lock. When several processes open one new file at once,
 * SQLite answers the one that would deadlock for that lock with an immediate {@code SQLITE_BUSY}, without
 * waiting out the busy timeout; this retries that answer, with a growing pause, until the busy timeout has
 * passed.
 */
public final class SqliteJournal {
    private static final long FIRST_PAUSE_MILLIS = 2;
    private static final long LONGEST_PAUSE_MILLIS = 100;

    private SqliteJournal() {}

    public static void useWal(Path file, Duration busyTimeout) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) busyTimeout.toMillis());
        long deadline = System.nanoTime() + busyTimeout.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            try (Connection connection = config.createConnection("jdbc:sqlite:" + file);
                    Statement statement = connection.createStatement();
                    ResultSet mode = statement.executeQuery("PRAGMA journal_mode=WAL")) {
                if (!mode.next() || !"wal".equalsIgnoreCase(mode.getString(1))) {
                    throw new StoreException("SQLite could not switch " + file + " to WAL mode");
                }
                return;
            } catch (SQLException e) {
                if (!StoreErrors.isTransient(e) || System.nanoTime() + pause * 1_000_000 > deadline) {
                    throw new StoreException(
                            "SQLite is not reachable: "
                                    + StoreErrors.translate(e, Dialect.SQLITE, "switch to WAL mode")
                                            .getMessage(),
                            e);
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while opening " + file, e);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
        }
    }
}
