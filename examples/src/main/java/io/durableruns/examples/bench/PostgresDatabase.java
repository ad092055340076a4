package io.durableruns.examples.bench;

import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.UUID;

/**
 * PostgreSQL: a fresh schema per repetition, dropped afterwards, by default inside a database created for the
 * benchmark (and dropped at the end), so that the transaction counters of {@code pg_stat_database}, which are per
 * database, count no other client's work. Every connection of the benchmark carries the
 * application name {@value #APPLICATION}, so that {@link #mark()} can wait until all of them have ended: a
 * PostgreSQL 15 backend may hold its transaction counters for up to 10 s while its connection stays open, and
 * reports them when it exits. The benchmark's own probes (waiting for the pool to fill and for its connections to
 * end, reading the counters) connect to the URL's database, not the one measured, so that their transactions are not
 * counted as the store's; only when no database could be created do they share it, and the report says so.
 */
final class PostgresDatabase implements BenchDatabase {
    static final String APPLICATION = "durable-runs-bench";

    private static final Duration BACKENDS_GONE_TIMEOUT = Duration.ofSeconds(15);
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final String OUR_BACKENDS = "SELECT count(*) FROM pg_stat_activity"
            + " WHERE pid <> pg_backend_pid() AND application_name LIKE '" + APPLICATION + "%'";
    private static final String COUNTERS = "SELECT d.xact_commit, d.xact_rollback, now() AS at,"
            + " (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname AND a.pid <> pg_backend_pid()"
            + " AND a.backend_type = 'client backend'"
            + " AND coalesce(a.application_name, '') NOT LIKE '" + APPLICATION + "%'"
            + " AND (a.backend_start > ? OR a.state_change > ?)) AS foreign_sessions,"
            + " w.wal_records, w.wal_fpi, w.wal_bytes"
            + " FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = coalesce(?, current_database())";

    private final String adminUrl;
    private final String database;
    private final String url;
    private final String probeUrl;
    private final boolean local;
    private final String schemaPrefix = "bench_" + UUID.randomUUID().toString().substring(0, 8);
    private int schemas;
    private String schema;
    /** The cumulative counters at the last mark. */
    private TxCount totals = TxCount.NONE;

    private OffsetDateTime lastMark;

    /**
     * @param jdbcUrl a {@code jdbc:postgresql://} URL
     * @param ownDatabase whether to create a database for the benchmark (falls back to {@code jdbcUrl}'s database
     *     when the user may not create databases)
     */
    PostgresDatabase(String jdbcUrl, boolean ownDatabase) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("the benchmark needs a jdbc:postgresql://host:port/db?user=... URL");
        }
        this.adminUrl = withParameter(jdbcUrl, "ApplicationName", APPLICATION + "-admin");
        this.database = ownDatabase ? createDatabase() : null;
        String target = database == null ? jdbcUrl : withDatabase(jdbcUrl, database);
        this.url = withParameter(target, "ApplicationName", APPLICATION);
        // The probes' transactions fall into the URL's database, when the measured one is another.
        this.probeUrl = withParameter(jdbcUrl, "ApplicationName", APPLICATION + "-probe");
        this.local = LOCAL_HOSTS.contains(
                URI.create(jdbcUrl.substring("jdbc:".length())).getHost());
    }

    private String createDatabase() {
        String name = "durable_runs_" + schemaPrefix;
        try (Connection c = DriverManager.getConnection(adminUrl);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
            return name;
        } catch (SQLException e) {
            System.out.println("Could not create a database for the benchmark (" + e.getMessage() + "); using the"
                    + " database of the URL: other clients' transactions will be counted too.");
            return null;
        }
    }

    /** Where the tables live, for the report. */
    String where() {
        return database == null
                ? "a fresh schema per repetition in the database of the URL (the benchmark's own probes of"
                        + " pg_stat_activity and pg_stat_database are counted among its transactions)"
                : "a fresh schema per repetition in database " + database + ", created for this run (the benchmark's"
                        + " own probes connect to the URL's database and are not counted)";
    }

    @Override
    public String name() {
        return "PostgreSQL";
    }

    @Override
    public String version() {
        try (Connection c = DriverManager.getConnection(probeUrl);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return "PostgreSQL " + rs.getString(1).split(" ")[0];
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is not reachable: " + e.getMessage(), e);
        }
    }

    @Override
    public void prepare() {
        schema = schemaPrefix + "_" + (++schemas);
        open(1).close();
        execute("CREATE TABLE \"" + schema + "\".bench_ceiling"
                + " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb NOT NULL)");
    }

    @Override
    public JdbcRunStore open(int poolSize) {
        return JdbcRunStore.fromUrl(
                url,
                JdbcOptions.newBuilder()
                        .schema(schema)
                        .maximumPoolSize(poolSize)
                        .build());
    }

    @Override
    public void awaitPool(int connections) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (Connection c = DriverManager.getConnection(probeUrl);
                PreparedStatement count = c.prepareStatement(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + APPLICATION + "'")) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) >= connections) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
            System.out.println("  (warning: the pool did not reach " + connections + " connections within 10 s)");
        } catch (SQLException e) {
            throw new IllegalStateException("counting the pool's connections failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the pool", e);
        }
    }

    @Override
    public boolean countsTransactions() {
        return true;
    }

    @Override
    public TxCount mark() {
        try (Connection c = DriverManager.getConnection(probeUrl)) {
            awaitOurBackendsGone(c);
            try (PreparedStatement read = c.prepareStatement(COUNTERS)) {
                OffsetDateTime since = lastMark == null ? OffsetDateTime.now() : lastMark;
                read.setObject(1, since);
                read.setObject(2, since);
                read.setString(3, database);
                try (ResultSet rs = read.executeQuery()) {
                    rs.next();
                    TxCount reading = new TxCount(
                            rs.getLong("xact_commit"),
                            rs.getLong("xact_rollback"),
                            rs.getInt("foreign_sessions"),
                            rs.getLong("wal_records"),
                            rs.getLong("wal_fpi"),
                            rs.getLong("wal_bytes"));
                    TxCount delta = reading.since(totals);
                    totals = reading;
                    lastMark = rs.getObject("at", OffsetDateTime.class);
                    return delta;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading pg_stat_database failed: " + e.getMessage(), e);
        }
    }

    private static void awaitOurBackendsGone(Connection c) throws SQLException {
        long deadline = System.nanoTime() + BACKENDS_GONE_TIMEOUT.toNanos();
        try (PreparedStatement count = c.prepareStatement(OUR_BACKENDS)) {
            while (true) {
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    System.out.println("  (warning: connections of the benchmark still open after "
                            + BACKENDS_GONE_TIMEOUT.toSeconds() + " s; transaction counts may be low)");
                    return;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for connections to close", e);
                }
            }
        }
    }

    @Override
    public OptionalDouble serverCpuSeconds() {
        return local ? PostgresCpu.seconds() : OptionalDouble.empty();
    }

    @Override
    public RawInsertCeiling.Result ceiling(int threads, Duration warmup, Duration measure) {
        String insert = "INSERT INTO \"" + schema + "\".bench_ceiling (payload) VALUES (CAST(? AS jsonb))";
        return RawInsertCeiling.ownConnections(
                threads, () -> DriverManager.getConnection(url), insert, warmup, measure);
    }

    @Override
    public void cleanup() {
        if (schema != null) {
            execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
            schema = null;
        }
    }

    @Override
    public void close() {
        cleanup();
        if (database != null) {
            try (Connection c = DriverManager.getConnection(adminUrl);
                    Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            } catch (SQLException e) {
                System.out.println("  (warning: could not drop database " + database + ": " + e.getMessage() + ")");
            }
        }
    }

    private void execute(String sql) {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("'" + sql + "' failed: " + e.getMessage(), e);
        }
    }

    private static String withDatabase(String jdbcUrl, String name) {
        int slash = jdbcUrl.indexOf('/', "jdbc:postgresql://".length());
        int query = jdbcUrl.indexOf('?');
        String hostPart = slash < 0 ? (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query)) : jdbcUrl.substring(0, slash);
        return hostPart + "/" + name + (query < 0 ? "" : jdbcUrl.substring(query));
    }

    private static String withParameter(String jdbcUrl, String name, String value) {
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + name + "=" + value;
    }
}
