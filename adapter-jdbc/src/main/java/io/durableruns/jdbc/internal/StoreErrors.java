package io.durableruns.jdbc.internal;

import io.durableruns.ports.RunsException;
import io.durableruns.ports.StoreException;
import java.sql.SQLException;
import org.jdbi.v3.core.JdbiException;

/** Turns JDBI and JDBC exceptions into {@link StoreException}s, so that no driver type crosses a port. */
public final class StoreErrors {
    private StoreErrors() {}

    /** Whether {@code e} is an infrastructure exception this adapter must translate. */
    public static boolean isDatabaseError(Throwable e) {
        return e instanceof JdbiException || e instanceof SQLException;
    }

    /**
     * Returns {@code e} itself when it must cross unchanged (the library's own exceptions and the caller's), and
     * a {@link StoreException} describing it when it came from the database.
     */
    public static RuntimeException translate(Throwable e, Dialect dialect, String action) {
        if (e instanceof RunsException runs) {
            return runs;
        }
        if (isDatabaseError(e)) {
            return new StoreException(describe(e, dialect, action), e, isTransient(e));
        }
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        return new StoreException(dialect.displayName() + " could not " + action + ": " + e, e);
    }

    /**
     * Whether {@code e} is a failure that goes away on its own: a connection that broke or could not be had, the
     * server shutting down or restarting, a deadlock or serialization conflict, SQLite's lock not granted in time.
     */
    static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException) {
                return true;
            }
        }
        SQLException sql = rootSqlException(e);
        if (sql == null) {
            return false;
        }
        String state = sql.getSQLState();
        if (state == null) {
            String text = String.valueOf(sql.getMessage());
            return text.contains("SQLITE_BUSY") || text.contains("database is locked");
        }
        return state.startsWith("08")
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03")
                || state.equals("40001")
                || state.equals("40P01")
                || state.equals("53300");
    }

    static String describe(Throwable e, Dialect dialect, String action) {
        SQLException sql = rootSqlException(e);
        StringBuilder message =
                new StringBuilder(dialect.displayName()).append(" could not ").append(action);
        if (sql == null) {
            message.append(": ").append(e.getClass().getSimpleName());
            return message.toString();
        }
        String state = sql.getSQLState();
        if (state != null) {
            message.append(" (SQLState ").append(state).append(')');
        }
        String text = sql.getMessage();
        if (text != null) {
            message.append(": ").append(text.lines().findFirst().orElse(""));
        }
        message.append(advice(state, sql));
        return message.toString();
    }

    private static String advice(String state, SQLException sql) {
        if (state == null) {
            String text = String.valueOf(sql.getMessage());
            if (text.contains("SQLITE_BUSY") || text.contains("database is locked")) {
                return "; another process held the database lock longer than the busy timeout: retry, or raise"
                        + " JdbcOptions.sqliteBusyTimeout";
            }
            return "";
        }
        if (state.equals("40001") || state.equals("40P01")) {
            return "; the transaction lost a race with a concurrent one and was rolled back: retry it";
        }
        if (state.startsWith("08")) {
            return "; check that the database is running and reachable";
        }
        if (state.equals("42P01")) {
            return "; the tables are missing: run the migrations (JdbcOptions.migrate) or check the schema and table"
                    + " prefix";
        }
        return "";
    }

    private static SQLException rootSqlException(Throwable e) {
        SQLException found = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                found = sql;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return found;
    }
}
