package io.durableruns.examples.bench;

import io.durableruns.jdbc.JdbcRunStore;
import java.time.Duration;
import java.util.OptionalDouble;

/** A database under test: fresh tables for each repetition, the store, its counters and its raw insert ceiling. */
interface BenchDatabase extends AutoCloseable {

    /** For the tables: {@code PostgreSQL} or {@code SQLite}. */
    String name();

    /** The server or library version, for the report. */
    String version();

    /** Fresh, migrated tables (a new schema or file) and the ceiling table, with every connection closed after. */
    void prepare();

    /** A store on the current tables whose pool holds up to {@code poolSize} connections. */
    JdbcRunStore open(int poolSize);

    /**
     * Waits until the pool of a store just opened holds {@code connections} connections (the pool fills in the
     * background), so that a measured phase does not pay for opening connections.
     */
    void awaitPool(int connections);

    /** Whether {@link #mark()} counts transactions. */
    boolean countsTransactions();

    /**
     * Starts a counting window, or ends the current one and starts the next: returns what the database committed
     * since the previous mark. Every connection of the benchmark must be closed when this is called.
     */
    TxCount mark();

    /** CPU seconds the database server used so far, when it runs in its own processes on this machine. */
    OptionalDouble serverCpuSeconds();

    /** Single-row INSERT transactions per second from {@code threads} threads, on the current tables. */
    RawInsertCeiling.Result ceiling(int threads, Duration warmup, Duration measure);

    /** Drops the current tables. */
    void cleanup();

    @Override
    void close();
}
