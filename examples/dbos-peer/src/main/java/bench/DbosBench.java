package bench;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.workflow.Workflow;
import dev.dbos.transact.workflow.WorkflowHandle;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * N workflows on DBOS Transact Java, of one of two shapes:
 * <ul>
 *   <li>{@code chain}: K sequential trivial steps (the project's {@code chain-5});
 *   <li>{@code fan-out}: a {@code root} step, then K child workflows of one step each, started with
 *       {@code startWorkflow} so that they run at once, awaited, then a {@code join} step: K + 2 steps a run (the
 *       project's {@code fan-out-10}, {@code root → b01..b10 → join}). DBOS runs the steps of one workflow one after
 *       the other ({@code runStep}); child workflows are how it runs branches in parallel.
 * </ul>
 * Env: JDBC_URL (default jdbc:postgresql://127.0.0.1:5432/bench), PGUSER, PGPASSWORD,
 *      SHAPE (chain|fan-out), N (2000), K (5), WARMUP (200), MODE (async|pool), POOL_THREADS (32)
 */
public class DbosBench {

    public interface PipelineWf {
        String pipeline(int idx);

        String fanOut(int idx);

        String branch(int idx, int b);
    }

    public static class PipelineWfImpl implements PipelineWf {
        private final DBOS dbos;
        private final int k;
        private PipelineWf self;
        PipelineWfImpl(DBOS dbos, int k) { this.dbos = dbos; this.k = k; }

        void proxy(PipelineWf proxy) { this.self = proxy; }

        @Workflow(name = "fanOut")
        public String fanOut(int idx) {
            String root = dbos.runStep(() -> "root-" + idx, "root");
            List<WorkflowHandle<String, RuntimeException>> children = new ArrayList<>(k);
            for (int b = 0; b < k; b++) {
                final int branch = b;
                children.add(dbos.startWorkflow(() -> self.branch(idx, branch)));
            }
            StringBuilder all = new StringBuilder(root);
            for (var child : children) {
                all.append(child.getResult().length());
            }
            return dbos.runStep(() -> "join-" + idx + "-" + all.length(), "join");
        }

        @Workflow(name = "branch")
        public String branch(int idx, int b) {
            return dbos.runStep(() -> "out-" + idx + "-" + b, "b" + b);
        }

        @Workflow(name = "pipeline")
        public String pipeline(int idx) {
            String last = null;
            for (int s = 0; s < k; s++) {
                final int step = s;
                // each step returns a short string; DBOS checkpoints its output
                last = dbos.runStep(() -> "out-" + idx + "-" + step, "step" + step);
            }
            return last;
        }
    }

    static String env(String k, String d) { String v = System.getenv(k); return (v == null || v.isEmpty()) ? d : v; }

    static long[] dbStats(String url, String user, String pw) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, pw);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted from pg_stat_database where datname = current_database()")) {
            rs.next();
            return new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)};
        }
    }

    /** Cluster-wide WAL records and bytes so far ({@code pg_stat_wal}, PostgreSQL 14 and later). */
    static long[] walStats(String url, String user, String pw) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, pw);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select wal_records, wal_bytes from pg_stat_wal")) {
            rs.next();
            return new long[]{rs.getLong(1), rs.getLong(2)};
        }
    }

    static java.util.Map<Long, Long> allocatedByThread(com.sun.management.ThreadMXBean threads) {
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        for (int i = 0; i < ids.length; i++) if (bytes[i] >= 0) out.put(ids[i], bytes[i]);
        return out;
    }

    static String run(PipelineWf proxy, boolean fanOut, int idx) {
        return fanOut ? proxy.fanOut(idx) : proxy.pipeline(idx);
    }

    static double runBatch(DBOS dbos, PipelineWf proxy, boolean fanOut, int n, String mode, int poolThreads, int base) throws Exception {
        long t0 = System.nanoTime();
        if (mode.equals("async")) {
            List<WorkflowHandle<String, RuntimeException>> hs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                final int idx = base + i;
                hs.add(dbos.startWorkflow(() -> run(proxy, fanOut, idx)));
            }
            for (var h : hs) {
                String r = h.getResult();
                if (r == null) throw new IllegalStateException("null result");
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(poolThreads);
            List<Future<String>> fs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                final int idx = base + i;
                fs.add(pool.submit(() -> run(proxy, fanOut, idx)));
            }
            for (var f : fs) if (f.get() == null) throw new IllegalStateException("null result");
            pool.shutdown();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    public static void main(String[] args) throws Exception {
        String url = env("JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/bench");
        String user = env("PGUSER", "postgres");
        String pw = env("PGPASSWORD", "postgres");
        int n = Integer.parseInt(env("N", "2000"));
        int k = Integer.parseInt(env("K", "5"));
        int warm = Integer.parseInt(env("WARMUP", "200"));
        String mode = env("MODE", "async");
        String shape = env("SHAPE", "chain");
        if (!shape.equals("chain") && !shape.equals("fan-out")) {
            throw new IllegalArgumentException("SHAPE must be chain or fan-out, not " + shape);
        }
        boolean fanOut = shape.equals("fan-out");
        int stepsPerRun = fanOut ? k + 2 : k;
        int poolThreads = Integer.parseInt(env("POOL_THREADS", "32"));

        var config = DBOSConfig.defaults("dbos-bench")
                .withDatabaseUrl(url).withDbUser(user).withDbPassword(pw)
                .disableAdminServer();
        String poolEnv = System.getenv("DBOS_POOL");
        com.zaxxer.hikari.HikariDataSource ownDs = null;
        if (poolEnv != null && !poolEnv.isEmpty()) {
            // optional: give DBOS our own HikariCP pool instead of its built-in 10-connection pool
            var hc = new com.zaxxer.hikari.HikariConfig();
            hc.setJdbcUrl(url); hc.setUsername(user); hc.setPassword(pw);
            hc.setMaximumPoolSize(Integer.parseInt(poolEnv)); hc.setMinimumIdle(Integer.parseInt(poolEnv));
            ownDs = new com.zaxxer.hikari.HikariDataSource(hc);
            config = config.withDataSource(ownDs);
        }
        DBOS dbos = new DBOS(config);
        PipelineWfImpl impl = new PipelineWfImpl(dbos, k);
        PipelineWf proxy = dbos.registerProxy(PipelineWf.class, impl);
        impl.proxy(proxy);
        long tl = System.nanoTime();
        dbos.launch();
        System.out.printf("DBOS %s launched in %.2fs; java=%s shape=%s mode=%s N=%d K=%d warmup=%d pool=%s%n",
                DBOS.version(), (System.nanoTime() - tl) / 1e9, System.getProperty("java.version"), shape, mode, n, k, warm, poolEnv == null ? "default(10)" : poolEnv);

        double wt = runBatch(dbos, proxy, fanOut, warm, mode, poolThreads, 0);
        System.out.printf("warmup: %d wf in %.2fs%n", warm, wt);
        // let idle backends flush their pg_stat counters (PG15 flushes idle backends within ~10s)
        Thread.sleep(11_000);
        // idle background rate (queue/scheduler pollers etc.), measured over an idle window
        long[] idle0 = dbStats(url, user, pw);
        long ti = System.nanoTime();
        Thread.sleep(Long.parseLong(env("IDLE_PROBE_MS", "10000")));
        long[] before = dbStats(url, user, pw);
        double idleSecs = (System.nanoTime() - ti) / 1e9;
        double idleRate = (before[0] - idle0[0] - 1) / idleSecs;
        System.out.printf("idle background xact_commit rate: %.1f/s%n", idleRate);
        long tr = System.nanoTime();

        long steps = (long) n * stepsPerRun;
        long[] wal0 = walStats(url, user, pw);
        CpuAcct cpu = new CpuAcct();
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<Long, Long> alloc0 = allocatedByThread(threads);
        long started0 = threads.getTotalStartedThreadCount();
        double secs = runBatch(dbos, proxy, fanOut, n, mode, poolThreads, 1_000_000);
        String cpuLine = cpu.report(steps, "steps");
        long allocated = 0;
        for (var e : allocatedByThread(threads).entrySet()) allocated += e.getValue() - alloc0.getOrDefault(e.getKey(), 0L);
        long startedMeanwhile = threads.getTotalStartedThreadCount() - started0;
        long[] wal1 = walStats(url, user, pw);
        System.out.printf("RESULT dbos shape=%s mode=%s pool=%s java=%s N=%d K=%d wall=%.3fs workflows/s=%.1f steps/s=%.1f%n",
                shape, mode, poolEnv == null ? "default(10)" : poolEnv, System.getProperty("java.version"), n, k, secs, n / secs, steps / secs);
        System.out.printf("RESULT WAL per step (cluster-wide): %.1f records, %.0f bytes%n",
                (wal1[0] - wal0[0]) / (double) steps, (wal1[1] - wal0[1]) / (double) steps);

        System.out.println("RESULT " + cpuLine);
        // Live threads only, as our benchmark counts its workers; a thread that started and ended meanwhile is missed.
        System.out.printf("RESULT allocated per step (live threads): %.1f KB; threads started meanwhile: %d%n",
                allocated / 1024.0 / steps, startedMeanwhile);
        dbos.shutdown(); // closes its built-in pool -> backends exit -> stats flushed
        if (ownDs != null) ownDs.close(); // DBOS does not close a DataSource it was given
        Thread.sleep(1500);
        long[] after = dbStats(url, user, pw);
        double windowSecs = (System.nanoTime() - tr) / 1e9;
        long dc = after[0] - before[0] - 1; // minus the 'before' probe's own commit
        double corr = dc - idleRate * windowSecs;
        System.out.printf("RESULT xact_commit idle-corrected=%.0f (%.2f per step, %.2f per workflow; window %.1fs)%n",
                corr, corr / steps, corr / n, windowSecs);
        System.out.printf("RESULT xact_commit delta=%d (%.2f per step, %.2f per workflow) rollback delta=%d tup_ins=%d tup_upd=%d tup_del=%d (per step: ins %.2f upd %.2f)%n",
                dc, dc / (double) steps, dc / (double) n, after[1] - before[1],
                after[2] - before[2], after[3] - before[3], after[4] - before[4],
                (after[2] - before[2]) / (double) steps, (after[3] - before[3]) / (double) steps);
        System.exit(0);
    }
}
