package io.durableruns.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the PostgreSQL channel on which stores announce inserted intents, on one dedicated connection, and
 * calls a wake-up callback when another store (another process) inserted some. Notifications this process's store
 * sent itself are ignored: the engine already signalled them in-process. When the connection breaks, the listener
 * reconnects with a growing pause and wakes the callback once, since notifications may have been missed.
 */
public final class IntentListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IntentListener.class);
    private static final int WAIT_MILLIS = 250;
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final String channel;
    private final String ownPayload;
    private final Runnable onForeignIntents;
    private final Thread thread;
    private volatile boolean running = true;

    public IntentListener(DataSource dataSource, String channel, String ownPayload, Runnable onForeignIntents) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.ownPayload = ownPayload;
        this.onForeignIntents = onForeignIntents;
        this.thread = new Thread(this::run, "durable-runs-listen");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        Duration pause = Duration.ofMillis(100);
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN \"" + channel + "\"");
                }
                pause = Duration.ofMillis(100);
                onForeignIntents.run();
                try {
                    listen(connection.unwrap(PGConnection.class));
                } finally {
                    unlisten(connection);
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn(
                        "Listening for intents on PostgreSQL failed ({}); retrying in {} ms",
                        StoreErrors.describe(e, Dialect.POSTGRESQL, "listen"),
                        pause.toMillis());
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    private void listen(PGConnection connection) throws SQLException {
        while (running) {
            PGNotification[] notifications = connection.getNotifications(WAIT_MILLIS);
            if (notifications == null) {
                continue;
            }
            for (PGNotification notification : notifications) {
                if (!ownPayload.equals(notification.getParameter())) {
                    onForeignIntents.run();
                    break;
                }
            }
        }
    }

    /** A pooled connection must not keep listening: its next borrower would collect notifications forever. */
    private static void unlisten(Connection connection) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("UNLISTEN *");
        } catch (SQLException e) {
            LOG.debug("UNLISTEN failed on a connection that is closing anyway: {}", e.getMessage());
        }
    }

    /** Stops listening; returns once the connection went back to its pool. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
