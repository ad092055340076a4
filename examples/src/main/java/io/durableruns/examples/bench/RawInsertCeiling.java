package io.durableruns.examples.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The raw ceiling: single-row INSERT transactions (autocommit, one prepared statement, a small JSON payload) from a
 * number of threads, for a fixed time after a warm-up. It is what the database and driver can commit on this
 * machine with no engine in between.
 */
final class RawInsertCeiling {

    /** {@code rows} inserted in the measured window; {@code totalRows} includes the warm-up. */
    record Result(int threads, long rows, long totalRows, double rowsPerSecond) {}

    /** Opens a JDBC connection. */
    @FunctionalInterface
    interface Connector {
        Connection open() throws SQLException;
    }

    private RawInsertCeiling() {}

    /** Every thread inserts on its own connection (PostgreSQL). */
    static Result ownConnections(
            int threads, Connector connector, String insertSql, Duration warmup, Duration measure) {
        return run(threads, warmup, measure, () -> {
            Connection connection = connector.open();
            connection.setAutoCommit(true);
            PreparedStatement insert = connection.prepareStatement(insertSql);
            return new Inserter() {
                @Override
                public void insert(long n) throws SQLException {
                    insert.setString(1, payload(n));
                    insert.executeUpdate();
                }

                @Override
                public void close() throws SQLException {
                    insert.close();
                    connection.close();
                }
            };
        });
    }

    /**
     * The threads take turns on one connection (SQLite, whose single writer the store's one-connection pool
     * serialises the same way).
     */
    static Result sharedConnection(
            int threads, Connection connection, String insertSql, Duration warmup, Duration measure)
            throws SQLException {
        connection.setAutoCommit(true);
        try (PreparedStatement insert = connection.prepareStatement(insertSql)) {
            return run(threads, warmup, measure, () -> new Inserter() {
                @Override
                public void insert(long n) throws SQLException {
                    synchronized (insert) {
                        insert.setString(1, payload(n));
                        insert.executeUpdate();
                    }
                }

                @Override
                public void close() {}
            });
        }
    }

    /** About the size of the JSON the engine writes per step (ids, a status, a number). */
    static String payload(long n) {
        return "{\"runId\":\"run_01jxk9q3v6d8e2m4n5p7r9s0tw\",\"step\":\"s3\",\"attempt\":1,\"status\":\"SUCCEEDED\","
                + "\"n\":" + n + "}";
    }

    private interface Inserter {
        void insert(long n) throws SQLException;

        void close() throws SQLException;
    }

    @FunctionalInterface
    private interface InserterFactory {
        Inserter create() throws SQLException;
    }

    private static Result run(int threads, Duration warmup, Duration measure, InserterFactory factory) {
        LongAdder done = new LongAdder();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        for (int t = 0; t < threads; t++) {
            long base = (long) t << 40;
            Thread worker = new Thread(
                    () -> {
                        try {
                            Inserter inserter = factory.create();
                            try {
                                long n = base;
                                while (!stop.get() && failure.get() == null) {
                                    inserter.insert(n++);
                                    done.increment();
                                }
                            } finally {
                                inserter.close();
                            }
                        } catch (SQLException | RuntimeException e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    "raw-insert-" + t);
            worker.setDaemon(true);
            workers.add(worker);
        }
        workers.forEach(Thread::start);
        sleep(warmup);
        long before = done.sum();
        long start = System.nanoTime();
        sleep(measure);
        long rows = done.sum() - before;
        double seconds = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the raw insert threads", e);
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the raw insert ceiling failed: " + failure.get(), failure.get());
        }
        return new Result(threads, rows, done.sum(), rows / seconds);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the raw insert ceiling", e);
        }
    }
}
