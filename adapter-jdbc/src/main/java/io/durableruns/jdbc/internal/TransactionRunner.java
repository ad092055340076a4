package io.durableruns.jdbc.internal;

import io.durableruns.ports.model.LinkCommit;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.out.RunStore.TransactionWork;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one engine operation in one transaction on one JDBI {@link Handle}, with exactly one commit.
 *
 * <ul>
 *   <li>PostgreSQL: READ COMMITTED (set once per physical connection, so that a database whose default is
 *       stricter does not make the engine's compare-and-set updates fail with serialization errors).
 *   <li>SQLite: {@code BEGIN IMMEDIATE}, which takes the write lock up front, so that concurrent writers queue
 *       (under the busy timeout) instead of failing with a deadlock when a reader upgrades to a writer.
 * </ul>
 */
public final class TransactionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionRunner.class);

    private final Jdbi jdbi;
    private final StoreContext context;
    private final Consumer<Connection> evict;
    private final boolean readOnly;
    /** The schema version whose server-side functions this runner calls (PostgreSQL; 0 for none). */
    private volatile int functions;

    private final Set<Object> readCommitted =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    /**
     * @param evict removes a connection from its pool after its transaction could not be ended cleanly
     * @param readOnly whether the work only reads: on SQLite the transaction then starts deferred, as a reader,
     *     instead of taking the write lock
     */
    public TransactionRunner(Jdbi jdbi, StoreContext context, Consumer<Connection> evict, boolean readOnly) {
        this.jdbi = jdbi;
        this.context = context;
        this.evict = evict;
        this.readOnly = readOnly;
    }

    /**
     * Calls the server-side functions of the migrations up to {@code schemaVersion} (PostgreSQL): the schema has
     * them. See {@link Migrator#LINK_FUNCTIONS} and {@link Migrator#FINISH_FUNCTION}.
     */
    public void useFunctionsOf(int schemaVersion) {
        this.functions = schemaVersion;
    }

    /** Whether the schema has the functions that migration {@code version} creates. */
    public boolean hasFunctionsOf(int version) {
        return functions >= version;
    }

    public <R> R inTransaction(TransactionWork<R> work) {
        Dialect dialect = context.dialect();
        Handle handle;
        try {
            handle = jdbi.open();
        } catch (RuntimeException e) {
            throw StoreErrors.translate(e, dialect, "open a connection");
        }
        JdbiStoreTransaction tx = new JdbiStoreTransaction(handle, context, functions);
        boolean active = false;
        try {
            begin(handle);
            active = true;
            R result = work.apply(tx);
            commit(handle);
            active = false;
            return result;
        } catch (Error e) {
            if (active) {
                rollback(handle, e);
            }
            throw e;
        } catch (RuntimeException e) {
            if (active) {
                rollback(handle, e);
            }
            throw StoreErrors.translate(e, dialect, "complete a transaction");
        } finally {
            tx.end();
            close(handle);
        }
    }

    /**
     * Commits a chain link (PostgreSQL): one call of the function of migration V006, in auto-commit mode, so that the
     * call, its transaction and its commit are one round trip. The connection is at READ COMMITTED as in {@link
     * #inTransaction}.
     */
    public Optional<StepRecord> commitLink(LinkCommit link) {
        Handle handle;
        try {
            handle = jdbi.open();
        } catch (RuntimeException e) {
            throw StoreErrors.translate(e, context.dialect(), "open a connection");
        }
        JdbiStoreTransaction tx = new JdbiStoreTransaction(handle, context, functions);
        try {
            ensureReadCommitted(handle.getConnection());
            return tx.steps().commitLink(link);
        } catch (RuntimeException e) {
            throw StoreErrors.translate(e, context.dialect(), "commit a chain link");
        } finally {
            tx.end();
            close(handle);
        }
    }

    private void begin(Handle handle) {
        if (context.dialect() == Dialect.SQLITE) {
            handle.execute(readOnly ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE");
            return;
        }
        ensureReadCommitted(handle.getConnection());
        handle.begin();
    }

    private void commit(Handle handle) {
        if (context.dialect() == Dialect.SQLITE) {
            handle.execute("COMMIT");
        } else {
            handle.commit();
        }
    }

    private void rollback(Handle handle, Throwable cause) {
        try {
            if (context.dialect() == Dialect.SQLITE) {
                handle.execute("ROLLBACK");
            } else {
                handle.rollback();
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            LOG.warn(
                    "Rollback failed ({}); discarding the connection",
                    e.getClass().getSimpleName());
            evict.accept(handle.getConnection());
        }
    }

    private void close(Handle handle) {
        try {
            handle.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing a database handle failed: {}", StoreErrors.describe(e, context.dialect(), "close"));
        }
    }

    private void ensureReadCommitted(Connection connection) {
        Object physical;
        try {
            physical = connection.unwrap(PGConnection.class);
        } catch (SQLException e) {
            physical = connection;
        }
        if (readCommitted.contains(physical)) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED");
        } catch (SQLException e) {
            throw StoreErrors.translate(e, context.dialect(), "set the READ COMMITTED isolation level");
        }
        readCommitted.add(physical);
    }
}
