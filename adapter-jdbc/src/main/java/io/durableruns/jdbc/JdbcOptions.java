package io.durableruns.jdbc;

import io.durableruns.jdbc.internal.TableNames;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of a {@link JdbcRunStore}. Every option has a default, so {@code JdbcOptions.defaults()} is enough to
 * start.
 *
 * <pre>{@code
 * JdbcOptions options = JdbcOptions.newBuilder()
 *         .schema("durable_runs")          // PostgreSQL: keep the tables in their own schema
 *         .tablePrefix("dr_")              // or give them a prefix inside an existing schema
 *         .maximumPoolSize(16)
 *         .build();
 * }</pre>
 */
public final class JdbcOptions {
    private final String schema;
    private final String tablePrefix;
    private final boolean migrate;
    private final int maximumPoolSize;
    private final String connectionInitSql;
    private final Duration sqliteBusyTimeout;
    private final Duration sqliteCheckpointInterval;

    private JdbcOptions(Builder builder) {
        this.schema = builder.schema;
        this.tablePrefix = builder.tablePrefix;
        this.migrate = builder.migrate;
        this.maximumPoolSize = builder.maximumPoolSize;
        this.connectionInitSql = builder.connectionInitSql;
        this.sqliteBusyTimeout = builder.sqliteBusyTimeout;
        this.sqliteCheckpointInterval = builder.sqliteCheckpointInterval;
    }

    /** The defaults: the connection's default schema, no table prefix, migrations applied at start-up. */
    public static JdbcOptions defaults() {
        return newBuilder().build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** The PostgreSQL schema of the tables, or {@code null} for the connection's search path. */
    public String schema() {
        return schema;
    }

    /** A prefix of every table name (empty by default). */
    public String tablePrefix() {
        return tablePrefix;
    }

    /** Whether the store applies its migrations when it opens. */
    public boolean migrate() {
        return migrate;
    }

    /** The size of the connection pool the store builds, or 0 for the dialect's default (PostgreSQL 10, SQLite 1). */
    public int maximumPoolSize() {
        return maximumPoolSize;
    }

    /** SQL run on every new pooled connection, or {@code null}. */
    public String connectionInitSql() {
        return connectionInitSql;
    }

    /** How long an SQLite transaction waits for the write lock held by another connection or process. */
    public Duration sqliteBusyTimeout() {
        return sqliteBusyTimeout;
    }

    /** How often the SQLite store copies its write-ahead log into the database file, on a thread of its own. */
    public Duration sqliteCheckpointInterval() {
        return sqliteCheckpointInterval;
    }

    TableNames tableNames() {
        return new TableNames(schema, tablePrefix);
    }

    /** Builds {@link JdbcOptions}; {@link #build()} validates every field. */
    public static final class Builder {
        private String schema;
        private String tablePrefix = "";
        private boolean migrate = true;
        private int maximumPoolSize;
        private String connectionInitSql;
        private Duration sqliteBusyTimeout = Duration.ofSeconds(10);
        private Duration sqliteCheckpointInterval = Duration.ofMillis(100);

        private Builder() {}

        /**
         * Keeps the tables in this PostgreSQL schema, created when missing. Lowercase letters, digits and
         * underscores. Not supported on SQLite (use {@link #tablePrefix}).
         */
        public Builder schema(String schema) {
            this.schema = schema;
            return this;
        }

        /** Prefixes every table name, such as {@code dr_} for {@code dr_runs}. Lowercase letters, digits, underscores. */
        public Builder tablePrefix(String tablePrefix) {
            this.tablePrefix = Objects.requireNonNull(tablePrefix, "tablePrefix");
            return this;
        }

        /**
         * Whether to apply the migrations at start-up (default {@code true}). Turn it off when the schema is managed
         * with another tool: the SQL files are on the classpath under {@code db/postgresql} and {@code db/sqlite}.
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** The size of the pool the store builds; ignored by {@link JdbcRunStore#postgres}, which uses yours. */
        public Builder maximumPoolSize(int maximumPoolSize) {
            this.maximumPoolSize = maximumPoolSize;
            return this;
        }

        /** SQL run on every new pooled connection, such as {@code SET application_name = 'runs'}. */
        public Builder connectionInitSql(String connectionInitSql) {
            this.connectionInitSql = connectionInitSql;
            return this;
        }

        /** How long an SQLite transaction waits for the write lock (default 10 s). */
        public Builder sqliteBusyTimeout(Duration sqliteBusyTimeout) {
            this.sqliteBusyTimeout = Objects.requireNonNull(sqliteBusyTimeout, "sqliteBusyTimeout");
            return this;
        }

        /**
         * How often the SQLite store copies its write-ahead log into the database file (default 100 ms). The copy
         * runs on a thread of its own rather than inside a commit; the log restarts once it holds 1,000 pages.
         */
        public Builder sqliteCheckpointInterval(Duration sqliteCheckpointInterval) {
            this.sqliteCheckpointInterval =
                    Objects.requireNonNull(sqliteCheckpointInterval, "sqliteCheckpointInterval");
            return this;
        }

        public JdbcOptions build() {
            if (maximumPoolSize < 0) {
                throw new IllegalArgumentException(
                        "maximumPoolSize must be 0 (the default) or positive, was " + maximumPoolSize);
            }
            if (sqliteBusyTimeout.isNegative() || sqliteBusyTimeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "sqliteBusyTimeout must be between 0 and 24 days, was " + sqliteBusyTimeout);
            }
            if (sqliteCheckpointInterval.toMillis() < 1 || sqliteCheckpointInterval.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(
                        "sqliteCheckpointInterval must be between 1 ms and 24 hours, was " + sqliteCheckpointInterval);
            }
            new TableNames(schema, tablePrefix);
            return new JdbcOptions(this);
        }
    }
}
