package io.durableruns.jdbc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.durableruns.jdbc.internal.DatabaseUrl;
import io.durableruns.jdbc.internal.Dialect;
import io.durableruns.jdbc.internal.IntentListener;
import io.durableruns.jdbc.internal.Migrator;
import io.durableruns.jdbc.internal.SqliteCheckpointer;
import io.durableruns.jdbc.internal.SqliteJournal;
import io.durableruns.jdbc.internal.StoreContext;
import io.durableruns.jdbc.internal.StoreErrors;
import io.durableruns.jdbc.internal.TransactionRunner;
import io.durableruns.jdbc.internal.WriterTurns;
import io.durableruns.ports.StoreException;
import io.durableruns.ports.model.LinkCommit;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.WakeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.TemplateEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The durable {@link RunStore}: PostgreSQL in production, SQLite (one file) as the zero-setup default. Every
 * {@link #inTransaction} is one database transaction on one connection, with one commit. The store applies its
 * schema migrations when it opens (see {@link JdbcOptions.Builder#migrate}).
 *
 * <pre>{@code
 * try (JdbcRunStore store = JdbcRunStore.fromUrl("postgres://runs:secret@db:5432/runs", JdbcOptions.defaults())) {
 *     RunEngine engine = RunEngine.builder().store(store).registry(registry).build();
 *     if (!store.readiness().ready()) { ... }
 * }
 * }</pre>
 *
 * <p>Tables: {@code graph_versions, runs, idempotency_keys, steps, artifacts, tool_calls, timeline_events,
 * dispatch_intents} and {@code schema_history}, optionally in a schema and behind a prefix. JSON is {@code jsonb}
 * on PostgreSQL and text on SQLite; instants are {@code timestamptz} on PostgreSQL and integer microseconds since
 * the epoch on SQLite, truncated to the microsecond and independent of any time zone.
 *
 * <p>Failures surface as {@link StoreException}; the transaction in progress was rolled back.
 */
public final class JdbcRunStore implements RunStore, WakeSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcRunStore.class);
    private static final int READ_CONNECTIONS = 4;

    private final StoreContext context;
    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private final Jdbi jdbi;
    private final TransactionRunner runner;
    /** SQLite's writer turns (interactive transactions before queued background ones); null on PostgreSQL. */
    private final WriterTurns turns;

    private final Migrator migrator;
    private volatile HikariDataSource readPool;
    private volatile SqliteCheckpointer checkpointer;
    private volatile TransactionRunner readRunner;
    private volatile boolean closed;

    private JdbcRunStore(Dialect dialect, DataSource dataSource, HikariDataSource ownedPool, JdbcOptions options) {
        this.context = new StoreContext(dialect, options.tableNames(), new ObjectMapper());
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.jdbi = jdbi(dataSource);
        this.runner = new TransactionRunner(jdbi, context, this::evict, false);
        this.turns = dialect == Dialect.SQLITE && ownedPool != null
                ? new WriterTurns(ownedPool.getMaximumPoolSize(), Duration.ofMillis(ownedPool.getConnectionTimeout()))
                : null;
        this.migrator = new Migrator(context);
    }

    private static Jdbi jdbi(DataSource dataSource) {
        Jdbi jdbi = Jdbi.create(dataSource);
        jdbi.getConfig(SqlStatements.class).setTemplateEngine(TemplateEngine.NOP);
        return jdbi;
    }

    /**
     * A PostgreSQL store on your {@link DataSource} (a pool, ideally). The store does not close it.
     * Transactions run at READ COMMITTED whatever the database's default.
     */
    public static JdbcRunStore postgres(DataSource dataSource, JdbcOptions options) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(options, "options");
        return open(Dialect.POSTGRESQL, dataSource, null, options, "a PostgreSQL data source");
    }

    /**
     * An SQLite store in one file (created with its folders when missing), in WAL mode with
     * {@code synchronous=NORMAL}: a process crash loses nothing that committed; an operating-system crash or power
     * loss may lose the last transactions, never consistency. Transactions take the write lock up front and queue
     * for it; the pool has one connection unless {@link JdbcOptions#maximumPoolSize()} says otherwise. Reads
     * ({@link #read}) run beside the writer on up to four read-only connections.
     */
    public static JdbcRunStore sqlite(Path file, JdbcOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        if (options.schema() != null) {
            throw new IllegalArgumentException("SQLite has no schemas: use JdbcOptions.tablePrefix instead of schema");
        }
        Path absolute = file.toAbsolutePath();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new StoreException("could not create the folder of the SQLite database " + absolute + ": " + e, e);
        }
        SqliteJournal.useWal(absolute, options.sqliteBusyTimeout());
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setBusyTimeout((int) options.sqliteBusyTimeout().toMillis());
        // No checkpoint inside a commit: SqliteCheckpointer copies the log on a thread of its own.
        sqlite.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, "0");
        SQLiteDataSource sqliteSource = new SQLiteDataSource(sqlite);
        sqliteSource.setUrl("jdbc:sqlite:" + absolute);
        HikariConfig config = new HikariConfig();
        config.setPoolName("durable-runs-sqlite");
        config.setDataSource(sqliteSource);
        config.setMaximumPoolSize(options.maximumPoolSize() == 0 ? 1 : options.maximumPoolSize());
        config.setConnectionInitSql(options.connectionInitSql());
        HikariDataSource pool = createPool(config, Dialect.SQLITE);
        JdbcRunStore store = open(Dialect.SQLITE, pool, pool, options, absolute.toString());
        try {
            store.openReadPool(absolute, options);
            store.checkpointer = SqliteCheckpointer.start(
                    absolute, options.sqliteBusyTimeout(), store.turns, options.sqliteCheckpointInterval());
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /**
     * A store for a URL: {@code jdbc:postgresql://host:5432/db?user=u&password=p},
     * {@code postgres://user:password@host:5432/db} (or {@code postgresql://}), or {@code jdbc:sqlite:path/to/file.db}.
     * PostgreSQL gets a HikariCP pool that the store closes with itself. Passwords never appear in logs or
     * messages.
     */
    public static JdbcRunStore fromUrl(String url, JdbcOptions options) {
        Objects.requireNonNull(options, "options");
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        if (parsed.dialect() == Dialect.SQLITE) {
            return sqlite(parsed.sqliteFile(), options);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("durable-runs-postgresql");
        config.setJdbcUrl(parsed.jdbcUrl());
        if (parsed.username() != null) {
            config.setUsername(parsed.username());
        }
        if (parsed.password() != null) {
            config.setPassword(parsed.password());
        }
        config.setMaximumPoolSize(options.maximumPoolSize() == 0 ? 10 : options.maximumPoolSize());
        config.setConnectionInitSql(options.connectionInitSql());
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource pool = createPool(config, Dialect.POSTGRESQL);
        return open(Dialect.POSTGRESQL, pool, pool, options, parsed.toString());
    }

    private static HikariDataSource createPool(HikariConfig config, Dialect dialect) {
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException(
                    dialect.displayName() + " is not reachable: "
                            + StoreErrors.translate(
                                            e.getCause() == null ? e : e.getCause(), dialect, "open a connection")
                                    .getMessage(),
                    e);
        }
    }

    private static JdbcRunStore open(
            Dialect dialect, DataSource dataSource, HikariDataSource ownedPool, JdbcOptions options, String where) {
        JdbcRunStore store = new JdbcRunStore(dialect, dataSource, ownedPool, options);
        try {
            if (options.migrate()) {
                store.migrator.migrate(store.jdbi);
            }
            if (dialect == Dialect.POSTGRESQL) {
                // A store that migrated has them; only one opened on a schema migrated by someone else asks.
                int version = options.migrate() ? Migrator.latestVersion() : store.schemaVersionForFunctions();
                store.runner.useFunctionsOf(version);
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        LOG.info("Opened the {} run store at {} ({})", dialect.displayName(), where, store.context.names());
        return store;
    }

    /**
     * SQLite in WAL mode serves readers while its single writer works: reads get read-only connections of
     * their own, so a run list or a timeline never waits for the dispatcher's commits.
     */
    private void openReadPool(Path file, JdbcOptions options) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setReadOnly(true);
        sqlite.setBusyTimeout((int) options.sqliteBusyTimeout().toMillis());
        SQLiteDataSource source = new SQLiteDataSource(sqlite);
        source.setUrl("jdbc:sqlite:" + file);
        HikariConfig config = new HikariConfig();
        config.setPoolName("durable-runs-sqlite-read");
        config.setDataSource(source);
        config.setMaximumPoolSize(READ_CONNECTIONS);
        config.setReadOnly(true);
        config.setConnectionInitSql(options.connectionInitSql());
        readPool = createPool(config, Dialect.SQLITE);
        readRunner = new TransactionRunner(
                jdbi(readPool), context, connection -> readPool.evictConnection(connection), true);
    }

    @Override
    public <R> R inTransaction(TransactionWork<R> work) {
        return write(false, work);
    }

    /**
     * Runs work a caller waits for. On SQLite it goes before the dispatcher's transactions queued for the writer,
     * taking turns with them when both wait; on PostgreSQL, whose writers do not queue for one lock, it is an
     * ordinary transaction.
     */
    @Override
    public <R> R inInteractiveTransaction(TransactionWork<R> work) {
        return write(true, work);
    }

    private <R> R write(boolean interactive, TransactionWork<R> work) {
        if (closed) {
            throw new StoreException("the run store is closed");
        }
        return turns == null ? runner.inTransaction(work) : turns.run(interactive, () -> runner.inTransaction(work));
    }

    /**
     * Commits a chain link. On PostgreSQL one call of a server-side function (migration V006) does the whole commit
     * in one round trip, instead of five statements and a commit; on SQLite, whose writer is local, and on a
     * PostgreSQL schema that another tool has not migrated to V006 yet, the default does it in one transaction.
     */
    @Override
    public Optional<StepRecord> commitLink(LinkCommit link) {
        if (!runner.hasFunctionsOf(Migrator.LINK_FUNCTIONS)) {
            return RunStore.super.commitLink(link);
        }
        if (closed) {
            throw new StoreException("the run store is closed");
        }
        return runner.commitLink(link);
    }

    /**
     * The schema's version, for the functions of migrations V006 and V007; a store that does not migrate may open an
     * older schema, whose chain links and finishes then commit statement by statement.
     */
    private int schemaVersionForFunctions() {
        try (Handle handle = jdbi.open()) {
            int version = migrator.currentVersion(handle).orElse(0);
            if (version < Migrator.FINISH_FUNCTION) {
                LOG.warn(
                        "The PostgreSQL schema ({}) is at version {}: {} commit statement by statement until"
                                + " migration V00{} is applied",
                        context.names(),
                        version,
                        version < Migrator.LINK_FUNCTIONS ? "chain links and run finishes" : "run finishes",
                        Migrator.FINISH_FUNCTION);
            }
            return version;
        } catch (RuntimeException e) {
            throw StoreErrors.translate(e, context.dialect(), "read the schema version");
        }
    }

    /** How many transactions wait for SQLite's writer (for tests); 0 on PostgreSQL. */
    int writersWaiting() {
        return turns == null ? 0 : turns.waiting();
    }

    /**
     * Runs work that only reads. On SQLite it runs on read-only connections of its own, beside the writer; on
     * PostgreSQL it is an ordinary transaction.
     */
    @Override
    public <R> R read(TransactionWork<R> work) {
        if (closed) {
            throw new StoreException("the run store is closed");
        }
        TransactionRunner reader = readRunner;
        return reader == null ? runner.inTransaction(work) : reader.inTransaction(work);
    }

    /**
     * Whether the database is reachable and its schema is migrated to this release's version, for a readiness
     * probe. Never throws.
     */
    public Readiness readiness() {
        if (closed) {
            return new Readiness(false, "the run store is closed");
        }
        String name = context.dialect().displayName();
        try (Handle handle = jdbi.open()) {
            Optional<Integer> version = migrator.currentVersion(handle);
            if (version.isEmpty()) {
                return new Readiness(
                        false,
                        name + " is reachable but the schema is not migrated (" + context.names()
                                + "): enable JdbcOptions.migrate or apply the SQL files");
            }
            if (version.get() < Migrator.latestVersion()) {
                return new Readiness(
                        false,
                        name + " schema is at version " + version.get() + ", this release needs "
                                + Migrator.latestVersion() + ": apply the pending migrations");
            }
            return new Readiness(true, name + " is reachable; schema version " + version.get());
        } catch (RuntimeException e) {
            return new Readiness(
                    false,
                    StoreErrors.translate(e, context.dialect(), "open a connection")
                            .getMessage());
        }
    }

    /** Closes the pool the store built; a {@link DataSource} passed to {@link #postgres} stays open. */
    @Override
    public void close() {
        closed = true;
        if (checkpointer != null) {
            checkpointer.close();
        }
        if (readPool != null) {
            readPool.close();
        }
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    /**
     * Calls {@code onIntents} when another process commits intents into this store: on PostgreSQL a {@code LISTEN}
     * on a dedicated connection of this store's pool (size the pool for it), held until the handle is closed; on
     * SQLite, whose writers all share one file (and usually one process), nothing.
     */
    @Override
    public AutoCloseable subscribe(Runnable onIntents) {
        if (context.dialect() != Dialect.POSTGRESQL) {
            return () -> {};
        }
        IntentListener listener =
                new IntentListener(dataSource, context.names().notifyChannel(), context.instanceId(), onIntents);
        listener.start();
        return listener;
    }

    /** SQLite's checkpointer, for tests; null on PostgreSQL. */
    SqliteCheckpointer checkpointer() {
        return checkpointer;
    }

    private void evict(Connection connection) {
        if (dataSource instanceof HikariDataSource hikari) {
            hikari.evictConnection(connection);
        }
    }

    /**
     * The answer of {@link #readiness()}.
     *
     * @param detail what was checked, or what is wrong and what to do about it
     */
    public record Readiness(boolean ready, String detail) {}
}
