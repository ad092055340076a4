package io.durableruns.examples.browser;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Fills a migrated store with many runs in a few SQL statements, for measuring the dashboard at scale: two thirds
 * {@code research} runs (5 steps), one third {@code flaky} runs (1 step); 1% failed, 0.4% cancelled, 0.2% running,
 * 0.1% queued, the rest succeeded, one millisecond apart. Unfinished steps have no due time and no lease, so the
 * server's workers and sweeper leave them alone.
 */
final class RunSeeder {
    private RunSeeder() {}

    private static final String STATUS = "CASE WHEN i % 100 = 0 THEN 'FAILED' WHEN i % 250 = 3 THEN 'CANCELLED'"
            + " WHEN i % 500 = 1 THEN 'RUNNING' WHEN i % 1000 = 2 THEN 'QUEUED' ELSE 'SUCCEEDED' END";
    private static final String GRAPH = "CASE WHEN i % 3 = 0 THEN 'flaky' ELSE 'research' END";
    private static final String STEPS = "(VALUES ('flaky', 'wobble', 0, 1, '[]'), ('research', 'plan', 0, 0, '[]'),"
            + " ('research', 'search-web', 1, 0, '[\"plan\"]'), ('research', 'search-papers', 2, 0, '[\"plan\"]'),"
            + " ('research', 'synthesize', 3, 0, '[\"search-web\",\"search-papers\"]'),"
            + " ('research', 'write-spec', 4, 1, '[\"synthesize\"]')) AS d(graph, name, pos, last, deps)";
    /** A step's status from its run's: the last step failed, the first running or queued, the rest to match. */
    private static final String STEP_STATUS = "CASE r.status WHEN 'SUCCEEDED' THEN 'SUCCEEDED'"
            + " WHEN 'CANCELLED' THEN 'CANCELLED'"
            + " WHEN 'FAILED' THEN CASE WHEN d.last = 1 THEN 'FAILED' ELSE 'SUCCEEDED' END"
            + " ELSE CASE WHEN d.pos = 0 THEN r.status ELSE 'PENDING' END END";

    /** Inserts {@code count} runs and their steps into a PostgreSQL schema migrated by the store. */
    static void postgres(String url, int count) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO runs (id, graph, version, status, input, output, idempotency_key, sinks_remaining,"
                    + " created_at, updated_at, finished_at) SELECT 'run_' || lpad(to_hex(i), 26, '0'), " + GRAPH
                    + ", 1, " + STATUS + ", '{\"topic\":\"load\"}', NULL, NULL, 0,"
                    + " timestamptz '2026-01-01 00:00:00+00' + i * interval '1 millisecond',"
                    + " timestamptz '2026-01-01 00:00:00+00' + i * interval '1 millisecond', NULL"
                    + " FROM generate_series(1, " + count + ") AS i");
            s.execute("UPDATE runs SET finished_at = created_at + interval '2 seconds',"
                    + " output = '{\"ok\":true}' WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')");
            s.execute("INSERT INTO steps (run_id, name, status, attempt, budget_base, pending_deps, depends_on,"
                    + " started_at, finished_at, error_type, error_message, error_stack, updated_at)"
                    + " SELECT r.id, d.name, s.status, CASE WHEN s.status = 'PENDING' THEN 0 ELSE 1 END, 0, 0,"
                    + " CAST(d.deps AS jsonb), r.created_at, r.finished_at,"
                    + " CASE WHEN s.status = 'FAILED' THEN 'java.io.IOException' END,"
                    + " CASE WHEN s.status = 'FAILED' THEN 'upstream timed out' END, NULL, r.updated_at"
                    + " FROM runs r JOIN " + STEPS + " ON d.graph = r.graph"
                    + " CROSS JOIN LATERAL (SELECT " + STEP_STATUS + " AS status) AS s ORDER BY r.id, d.pos");
            s.execute("VACUUM ANALYZE runs");
            s.execute("VACUUM ANALYZE steps");
        }
    }

    /** Inserts {@code count} runs and their steps into a SQLite file migrated by the store. */
    static void sqlite(String url, int count) throws SQLException {
        long base = 1_767_225_600_000_000L; // 2026-01-01T00:00:00Z in microseconds
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO runs (id, graph, version, status, input, output, idempotency_key, sinks_remaining,"
                    + " created_at, updated_at, finished_at) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
                    + " FROM n WHERE i < " + count + ") SELECT printf('run_%026x', i), " + GRAPH + ", 1, " + STATUS
                    + ", '{\"topic\":\"load\"}', NULL, NULL, 0, " + base + " + i * 1000, " + base + " + i * 1000,"
                    + " NULL FROM n");
            s.execute("UPDATE runs SET finished_at = created_at + 2000000, output = '{\"ok\":true}'"
                    + " WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')");
            s.execute("INSERT INTO steps (run_id, name, status, attempt, budget_base, pending_deps, depends_on,"
                    + " started_at, finished_at, error_type, error_message, error_stack, updated_at)"
                    + " SELECT id, name, status, CASE WHEN status = 'PENDING' THEN 0 ELSE 1 END, 0, 0, deps,"
                    + " created_at, finished_at, CASE WHEN status = 'FAILED' THEN 'java.io.IOException' END,"
                    + " CASE WHEN status = 'FAILED' THEN 'upstream timed out' END, NULL, updated_at FROM ("
                    + " SELECT r.id, d.name, d.pos, d.deps, r.created_at, r.finished_at, r.updated_at, "
                    + STEP_STATUS + " AS status FROM runs r JOIN (SELECT column1 AS graph, column2 AS name,"
                    + " column3 AS pos, column4 AS last, column5 AS deps FROM "
                    + STEPS.substring(0, STEPS.indexOf(" AS d("))
                    + ") AS d ON d.graph = r.graph) ORDER BY id, pos");
            c.commit();
            s.execute("ANALYZE");
        }
    }
}
