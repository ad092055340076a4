package io.durableruns.examples.bench;

import com.sun.management.OperatingSystemMXBean;
import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a chain link's commit costs sent statement by statement, as the PostgreSQL store sent it before it had
 * {@code RunStore.commitLink}, against the same statements run by one server-side function in one round trip: the
 * measurement that led to that operation (docs/BENCHMARKS.md, "What one round trip per commit would be worth"). No engine: plain JDBC on the store's own tables (created by its migrations in a
 * schema of their own), so that the two ways differ only in how the statements reach the server.
 *
 * <p>A link is what the engine's commit does when a chain step succeeds and its worker claims the next one: lock
 * the run row ({@code FOR UPDATE}), the step's compare-and-set to {@code SUCCEEDED}, the successor's countdown
 * ({@code RETURNING} its row), the successor's compare-and-set to {@code RUNNING}, two timeline rows in one
 * insert, commit. The statements bind the same columns as the store's.
 *
 * <pre>{@code
 * java -cp examples/target/durable-runs-server.jar io.durableruns.examples.bench.RoundTripBenchmark \
 *     [--postgres-url URL] [--runs 2000] [--rounds 3] [--threads 1,8]
 * }</pre>
 *
 * <p>Each round runs both ways on fresh rows, alternating which goes first, and reports links/s and the CPU of
 * this JVM and of the PostgreSQL processes per 1,000 links.
 */
public final class RoundTripBenchmark {
    private static final String SCHEMA = "round_trip_bench";
    private static final int STEPS = 5;
    private static final String STEP_COLUMNS = "run_id, name, status, attempt, budget_base, pending_deps,"
            + " depends_on, lease_owner, lease_until, due_at, started_at, finished_at, output, error_type,"
            + " error_message, error_stack, updated_at";
    private static final String LOCK = "SELECT id, graph, version, status, input, output, idempotency_key,"
            + " sinks_remaining, created_at, updated_at, finished_at FROM " + SCHEMA + ".runs WHERE id = ? FOR UPDATE";
    private static final String SET_STEP = "UPDATE " + SCHEMA + ".steps SET status = ?, attempt = ?,"
            + " budget_base = ?, pending_deps = ?, lease_owner = ?, lease_until = ?, due_at = ?, started_at = ?,"
            + " finished_at = ?, output = CAST(? AS jsonb), error_type = ?, error_message = ?, error_stack = ?,"
            + " updated_at = ? WHERE run_id = ? AND name = ? AND status = ? AND attempt = ?";
    private static final String COUNT_DOWN = "UPDATE " + SCHEMA + ".steps SET pending_deps = pending_deps - 1"
            + " WHERE run_id = ? AND name = ? RETURNING " + STEP_COLUMNS;
    private static final String TIMELINE = "INSERT INTO " + SCHEMA + ".timeline_events (run_id, at, type, step,"
            + " attempt, data) VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb)), (?, ?, ?, ?, ?, CAST(? AS jsonb))";
    /** The same five statements in PL/pgSQL, whose statements PostgreSQL prepares once per session. */
    private static final String FUNCTION = """
            CREATE FUNCTION %1$s.chain_link(p_run text, p_done text, p_next text, p_at timestamptz,
                    p_output jsonb, p_owner text, p_lease_until timestamptz, p_data jsonb) RETURNS integer
            LANGUAGE plpgsql AS $$
            DECLARE
                changed integer;
                successor %1$s.steps%%ROWTYPE;
            BEGIN
                PERFORM id, graph, version, status, input, output, idempotency_key, sinks_remaining, created_at,
                    updated_at, finished_at FROM %1$s.runs WHERE id = p_run FOR UPDATE;
                UPDATE %1$s.steps SET status = 'SUCCEEDED', attempt = 1, budget_base = 0, pending_deps = 0,
                    lease_owner = NULL, lease_until = NULL, due_at = NULL, started_at = p_at, finished_at = p_at,
                    output = p_output, error_type = NULL, error_message = NULL, error_stack = NULL, updated_at = p_at
                    WHERE run_id = p_run AND name = p_done AND status = 'RUNNING' AND attempt = 1;
                GET DIAGNOSTICS changed = ROW_COUNT;
                IF changed = 0 THEN
                    RETURN 0;
                END IF;
                UPDATE %1$s.steps SET pending_deps = pending_deps - 1 WHERE run_id = p_run AND name = p_next
                    RETURNING * INTO successor;
                IF successor.pending_deps = 0 AND successor.status = 'PENDING' THEN
                    UPDATE %1$s.steps SET status = 'RUNNING', attempt = 1, budget_base = 0, pending_deps = 0,
                        lease_owner = p_owner, lease_until = p_lease_until, due_at = NULL, started_at = p_at,
                        finished_at = NULL, output = NULL, error_type = NULL, error_message = NULL,
                        error_stack = NULL, updated_at = p_at
                        WHERE run_id = p_run AND name = p_next AND status = 'PENDING' AND attempt = 0;
                END IF;
                INSERT INTO %1$s.timeline_events (run_id, at, type, step, attempt, data) VALUES
                    (p_run, p_at, 'STEP_SUCCEEDED', p_done, 1, p_data),
                    (p_run, p_at, 'STEP_STARTED', p_next, 1, '{}');
                RETURN 1;
            END
            $$""".formatted(SCHEMA);

    private RoundTripBenchmark() {}

    /** How a link's statements reach the server. */
    private enum Way {
        STATEMENTS,
        FUNCTION
    }

    private record Result(Way way, int threads, long links, double seconds, double jvmCpu, double pgCpu) {}

    public static void main(String[] args) throws Exception {
        String url = BenchOptions.DEFAULT_POSTGRES_URL;
        int runs = 2000;
        int rounds = 3;
        List<Integer> threadCounts = List.of(1, 8);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--postgres-url" -> url = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--threads" -> threadCounts = BenchOptions.integers(args[++i], "--threads");
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; options: --postgres-url URL --runs N --rounds N --threads 1,8");
            }
        }
        if (runs < 1 || rounds < 1) {
            throw new IllegalArgumentException("--runs and --rounds take numbers of at least 1");
        }
        createSchema(url);
        List<Result> results = new ArrayList<>();
        for (int threads : threadCounts) {
            // Warm-up: both ways once, not reported.
            measure(url, Way.STATEMENTS, threads, runs);
            measure(url, Way.FUNCTION, threads, runs);
            for (int round = 0; round < rounds; round++) {
                Way first = round % 2 == 0 ? Way.STATEMENTS : Way.FUNCTION;
                Way second = first == Way.STATEMENTS ? Way.FUNCTION : Way.STATEMENTS;
                for (Way way : List.of(first, second)) {
                    Result r = measure(url, way, threads, runs);
                    results.add(r);
                    System.out.printf(
                            "round %d %-10s %d thread(s): %,.0f links/s, JVM %.3f s and PostgreSQL %.3f s CPU per"
                                    + " 1,000 links%n",
                            round + 1,
                            way,
                            threads,
                            r.links() / r.seconds(),
                            1000 * r.jvmCpu() / r.links(),
                            1000 * r.pgCpu() / r.links());
                }
            }
        }
        dropSchema(url);
        System.out.println();
        System.out.println(
                "| way | threads | links/s (median) | JVM CPU s per 1k links | PostgreSQL CPU s per 1k links |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (int threads : threadCounts) {
            for (Way way : Way.values()) {
                List<Result> mine = results.stream()
                        .filter(r -> r.way() == way && r.threads() == threads)
                        .toList();
                System.out.printf(
                        "| %s | %d | %,.0f | %.3f | %.3f |%n",
                        way == Way.STATEMENTS ? "statement by statement" : "one function call",
                        threads,
                        Summary.median(mine.stream()
                                .mapToDouble(r -> r.links() / r.seconds())
                                .toArray()),
                        Summary.median(mine.stream()
                                .mapToDouble(r -> 1000 * r.jvmCpu() / r.links())
                                .toArray()),
                        Summary.median(mine.stream()
                                .mapToDouble(r -> 1000 * r.pgCpu() / r.links())
                                .toArray()));
            }
        }
    }

    /** The store's tables, by its own migrations, and the function. */
    private static void createSchema(String url) throws SQLException {
        dropSchema(url);
        // Opening the store applies its migrations.
        JdbcRunStore.fromUrl(url, JdbcOptions.newBuilder().schema(SCHEMA).build())
                .close();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute(FUNCTION);
        }
    }

    private static void dropSchema(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    /** Fresh runs of five chained steps, the first one running; then every link of every run. */
    private static Result measure(String url, Way way, int threads, int runs) throws Exception {
        String tag = Long.toString(System.nanoTime(), 36);
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + SCHEMA + ".runs, " + SCHEMA + ".steps, " + SCHEMA + ".timeline_events");
            s.execute("INSERT INTO " + SCHEMA + ".runs (id, graph, version, status, input, sinks_remaining,"
                    + " created_at, updated_at) SELECT '" + tag + "-' || g, 'chain', 1, 'RUNNING', '{}', 1, now(),"
                    + " now() FROM generate_series(1, " + runs + ") g");
            s.execute("INSERT INTO " + SCHEMA + ".steps (run_id, name, status, attempt, budget_base, pending_deps,"
                    + " depends_on, lease_owner, lease_until, started_at, updated_at) SELECT '" + tag + "-' || g,"
                    + " 's' || k, CASE WHEN k = 1 THEN 'RUNNING' ELSE 'PENDING' END, CASE WHEN k = 1 THEN 1 ELSE 0"
                    + " END, 0, CASE WHEN k = 1 THEN 0 ELSE 1 END, CASE WHEN k = 1 THEN '[]'::jsonb ELSE"
                    + " jsonb_build_array('s' || (k - 1)) END, CASE WHEN k = 1 THEN 'w' END, CASE WHEN k = 1 THEN"
                    + " now() + interval '1 minute' END, CASE WHEN k = 1 THEN now() END, now()"
                    + " FROM generate_series(1, " + runs + ") g, generate_series(1, " + STEPS + ") k ORDER BY g, k");
            s.execute("ANALYZE " + SCHEMA + ".runs");
            s.execute("ANALYZE " + SCHEMA + ".steps");
            s.execute("CHECKPOINT");
        }
        List<Connection> connections = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Connection c = DriverManager.getConnection(url);
            c.setAutoCommit(way == Way.FUNCTION);
            connections.add(c);
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        OptionalDouble pgBefore = PostgresCpu.seconds();
        long jvmBefore = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Connection c = connections.get(t);
            int from = t;
            workers.add(new Thread(() -> {
                try {
                    for (int run = 1 + from; run <= runs; run += threads) {
                        for (int k = 1; k < STEPS; k++) {
                            String runId = tag + "-" + run;
                            if (way == Way.STATEMENTS) {
                                statements(c, runId, "s" + k, "s" + (k + 1));
                            } else {
                                function(c, runId, "s" + k, "s" + (k + 1));
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double jvm = (os.getProcessCpuTime() - jvmBefore) / 1e9;
        double pg = PostgresCpu.seconds().orElse(Double.NaN) - pgBefore.orElse(Double.NaN);
        for (Connection c : connections) {
            c.close();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a link failed", failure.get());
        }
        return new Result(way, threads, (long) runs * (STEPS - 1), seconds, jvm, pg);
    }

    /** The link as the store sent it before its link function: five statements, then the commit. */
    private static void statements(Connection c, String runId, String done, String next) throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try (PreparedStatement lock = c.prepareStatement(LOCK)) {
            lock.setString(1, runId);
            try (ResultSet rs = lock.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no run " + runId);
                }
            }
        }
        if (setStep(c, runId, done, "SUCCEEDED", null, null, now, now, "{\"ok\":true}", "RUNNING", 1) != 1) {
            throw new IllegalStateException("lost the compare-and-set of " + runId + "/" + done);
        }
        String status;
        int pending;
        try (PreparedStatement countDown = c.prepareStatement(COUNT_DOWN)) {
            countDown.setString(1, runId);
            countDown.setString(2, next);
            try (ResultSet rs = countDown.executeQuery()) {
                rs.next();
                status = rs.getString("status");
                pending = rs.getInt("pending_deps");
            }
        }
        if (pending == 0 && status.equals("PENDING")) {
            setStep(c, runId, next, "RUNNING", "w", now.plusMinutes(1), now, null, null, "PENDING", 0);
        }
        try (PreparedStatement timeline = c.prepareStatement(TIMELINE)) {
            int p = 1;
            for (String[] row :
                    new String[][] {{"STEP_SUCCEEDED", done, "{\"durationMs\":0}"}, {"STEP_STARTED", next, "{}"}}) {
                timeline.setString(p++, runId);
                timeline.setObject(p++, now.toString(), Types.OTHER);
                timeline.setString(p++, row[0]);
                timeline.setString(p++, row[1]);
                timeline.setInt(p++, 1);
                timeline.setString(p++, row[2]);
            }
            timeline.executeUpdate();
        }
        c.commit();
    }

    private static int setStep(
            Connection c,
            String runId,
            String name,
            String status,
            String owner,
            OffsetDateTime leaseUntil,
            OffsetDateTime started,
            OffsetDateTime finished,
            String output,
            String expectedStatus,
            int expectedAttempt)
            throws SQLException {
        try (PreparedStatement u = c.prepareStatement(SET_STEP)) {
            u.setString(1, status);
            u.setInt(2, 1);
            u.setInt(3, 0);
            u.setInt(4, 0);
            u.setString(5, owner);
            timestamp(u, 6, leaseUntil);
            timestamp(u, 7, null);
            timestamp(u, 8, started);
            timestamp(u, 9, finished);
            u.setString(10, output);
            u.setString(11, null);
            u.setString(12, null);
            u.setString(13, null);
            timestamp(u, 14, started);
            u.setString(15, runId);
            u.setString(16, name);
            u.setString(17, expectedStatus);
            u.setInt(18, expectedAttempt);
            return u.executeUpdate();
        }
    }

    /** Typed as the store types them: untyped text, so that a null and a value share one prepared statement. */
    private static void timestamp(PreparedStatement s, int position, OffsetDateTime at) throws SQLException {
        if (at == null) {
            s.setNull(position, Types.OTHER);
        } else {
            s.setObject(position, at.toString(), Types.OTHER);
        }
    }

    /** The same link in one round trip: the function's statement commits on its own. */
    private static void function(Connection c, String runId, String done, String next) throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try (PreparedStatement call = c.prepareStatement(
                "SELECT " + SCHEMA + ".chain_link(?, ?, ?, ?, CAST(? AS jsonb), ?, ?, CAST(? AS jsonb))")) {
            call.setString(1, runId);
            call.setString(2, done);
            call.setString(3, next);
            call.setObject(4, now.toString(), Types.OTHER);
            call.setString(5, "{\"ok\":true}");
            call.setString(6, "w");
            call.setObject(7, now.plusMinutes(1).toString(), Types.OTHER);
            call.setString(8, "{\"durationMs\":0}");
            try (ResultSet rs = call.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != 1) {
                    throw new IllegalStateException("lost the compare-and-set of " + runId + "/" + done);
                }
            }
        }
    }
}
