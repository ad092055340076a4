package io.durableruns.jdbc.internal;

import io.durableruns.ports.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Copies SQLite's write-ahead log back into the database file on a thread of its own, so that no commit does it.
 *
 * <p>Left to itself, SQLite checkpoints inside the commit that grows the log past 1,000 pages: that commit keeps
 * the store's one writer for as long as the copy and its fsyncs take, and every transaction queued for the writer,
 * an API call's included, waits behind it. The store's writer connections turn that off
 * ({@code wal_autocheckpoint=0}), and every {@code interval} this thread instead:
 *
 * <ol>
 *   <li>runs a PASSIVE checkpoint on a connection of its own, beside the writer: it copies what the log holds
 *       while commits go on appending to it;
 *   <li>once the log holds 1,000 pages or more, takes the writer's next turn and checkpoints again: that copies
 *       the few commits made meanwhile, and with no transaction open the next commit starts the log again from its
 *       beginning. A copy beside the writer cannot do that: a write transaction open while it copies keeps the log
 *       from being restarted, and a log that is written to without a pause would grow without bound. The turn is
 *       asked for as an interactive transaction asks: handed over in order, after at most one of the dispatcher's
 *       transactions, so that workers taking the free writer again and again cannot keep it waiting.
 * </ol>
 *
 * <p>A checkpoint changes nothing that was committed (the log holds it until it is copied), so a failed one is
 * only logged and tried again at the next interval.
 */
public final class SqliteCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);
    /** The log's length from which a round restarts it: SQLite's own automatic checkpoint fires at 1,000 pages. */
    private static final int RESTART_FRAMES = 1_000;

    private final Connection connection;
    private final WriterTurns turns;
    private final long intervalMillis;
    private final Thread thread;
    private volatile boolean running = true;
    private boolean failing;

    /** What a checkpoint found: the frames in the log, and how many of them are in the database file now. */
    public record Result(int logFrames, int copiedFrames) {
        /** Every frame of the log is in the database file: the next commit restarts the log. */
        public boolean complete() {
            return copiedFrames >= logFrames;
        }
    }

    /**
     * Opens the checkpointer's connection to {@code file} (already in WAL mode) and starts checkpointing every
     * {@code interval}.
     */
    public static SqliteCheckpointer start(Path file, Duration busyTimeout, WriterTurns turns, Duration interval) {
        SqliteCheckpointer checkpointer = new SqliteCheckpointer(file, busyTimeout, turns, interval);
        checkpointer.thread.start();
        return checkpointer;
    }

    private SqliteCheckpointer(Path file, Duration busyTimeout, WriterTurns turns, Duration interval) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) busyTimeout.toMillis());
        try {
            this.connection = config.createConnection("jdbc:sqlite:" + file);
        } catch (SQLException e) {
            throw new StoreException(
                    "SQLite is not reachable: "
                            + StoreErrors.translate(e, Dialect.SQLITE, "open the checkpoint connection")
                                    .getMessage(),
                    e);
        }
        this.turns = turns;
        this.intervalMillis = interval.toMillis();
        this.thread = new Thread(this::run, "durable-runs-sqlite-checkpoint");
        thread.setDaemon(true);
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            checkpointQuietly();
        }
    }

    /**
     * One round, as the thread runs it: a checkpoint beside the writer, then, once the log holds 1,000 pages, one
     * in a writer turn. Returns what the last checkpoint found.
     */
    public synchronized Result checkpoint() {
        Result beside = passive();
        return beside.logFrames() < RESTART_FRAMES ? beside : turns.run(true, this::passive);
    }

    private Result passive() {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            if (!row.next()) {
                throw new SQLException("PRAGMA wal_checkpoint returned no row");
            }
            // Columns: busy (another checkpoint holds the lock), frames in the log, frames copied.
            return new Result(row.getInt(2), row.getInt(3));
        } catch (SQLException e) {
            throw StoreErrors.translate(e, Dialect.SQLITE, "checkpoint the write-ahead log");
        }
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
            if (failing) {
                LOG.info("SQLite checkpoints succeed again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warn("SQLite checkpoint failed; the write-ahead log keeps growing until one succeeds", e);
                failing = true;
            }
        }
    }

    /** Stops the thread and closes its connection; the log that is left is copied by the last connection to close. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the SQLite checkpoint thread did not stop within 10 s");
        }
        synchronized (this) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.warn("could not close the SQLite checkpoint connection", e);
            }
        }
    }
}
