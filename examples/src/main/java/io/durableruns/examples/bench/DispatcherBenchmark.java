package io.durableruns.examples.bench;

import static io.durableruns.examples.bench.Table.num;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Measures the local dispatcher on PostgreSQL and SQLite, each figure next to the raw single-row insert rate of the
 * same database measured seconds before with the same number of threads, and the cost of verifying a QStash
 * signature. Prints aligned tables and the same tables in markdown; {@code docs/BENCHMARKS.md} explains the method.
 *
 * <pre>{@code
 * java -cp examples/target/durable-runs-server.jar io.durableruns.examples.bench.DispatcherBenchmark
 * java -cp ... io.durableruns.examples.bench.DispatcherBenchmark --quick --stores sqlite
 * java -cp ... io.durableruns.examples.bench.DispatcherBenchmark --verifier
 * }</pre>
 *
 * <p>Workloads: 2,000 runs of a 5-step chain and 500 runs of a 10-wide fan-out/fan-in graph (and, on request, 10 runs
 * of a 500-wide one), no-op handlers, at 8 and 32 workers, the median of 3 repetitions after a warm-up. PostgreSQL
 * comes from {@code --postgres-url}, {@code RUNS_BENCH_POSTGRES_URL}, {@code RUNS_TEST_POSTGRES_URL} or {@code
 * jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; each repetition uses a fresh schema, dropped afterwards.
 */
public final class DispatcherBenchmark {
    private static final Duration WARMUP_CEILING = Duration.ofMillis(200);
    /** Warm-up rounds go on until one compiles for less than this long (or the rounds run out). */
    private static final double SETTLED_JIT_SECONDS = 0.5;

    private static final double VERIFIER_TARGET_MICROS = 50;

    private DispatcherBenchmark() {}

    public static void main(String[] args) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        if (!options.verbose()) {
            quietLogs();
        }
        long start = System.nanoTime();
        StringBuilder markdown = new StringBuilder();
        String machine = machine();
        System.out.println(machine);
        markdown.append(machine.lines().map(l -> "- " + l).collect(Collectors.joining("\n")))
                .append("\n\n");
        if (!options.verifierOnly()) {
            List<Summary> summaries = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            if (options.postgresUrl() != null) {
                PostgresDatabase postgres = new PostgresDatabase(options.postgresUrl(), options.ownDatabase());
                notes.add("PostgreSQL tables: " + postgres.where() + ".");
                summaries.addAll(runDatabase(postgres, options, notes));
            }
            if (options.sqlite()) {
                summaries.addAll(runDatabase(new SqliteDatabase(), options, notes));
            }
            printReport(new Report(summaries), notes, options, markdown);
        }
        if (options.verifier()) {
            printVerifier(VerifierBenchmark.run(options.verifierIterations()), markdown);
        }
        System.out.printf("%nTotal time: %.0f s%n", (System.nanoTime() - start) / 1e9);
        if (options.markdown() != null) {
            try {
                Files.writeString(options.markdown(), markdown);
                System.out.println("Markdown written to " + options.markdown());
            } catch (IOException e) {
                System.err.println("Could not write " + options.markdown() + ": " + e.getMessage());
            }
        }
    }

    private static List<Summary> runDatabase(BenchDatabase db, BenchOptions options, List<String> notes) {
        try (db) {
            String version = db.version();
            System.out.println("\n== " + version + " ==");
            if (options.prefetch() > 0) {
                System.out.println("dispatcher prefetch: " + options.prefetch());
            }
            if (options.createBatch() > 1) {
                System.out.println("runs created " + options.createBatch() + " per createAll call");
            }
            RepRunner runner = new RepRunner(db, options.prefetch(), options.createBatch());
            warmUp(runner, options);
            if (db.countsTransactions()) {
                for (int workers : options.workers()) {
                    TxCount fixed = runner.fixedCost(options.workloads().get(0), workers);
                    String note = version + ", " + workers + " workers: opening the store (pool of "
                            + (workers + RepRunner.EXTRA_CONNECTIONS)
                            + "), building the engine, starting and stopping an"
                            + " idle dispatcher and closing the store commits " + fixed.commits()
                            + " transactions; each repetition includes this fixed cost twice (creation and execution"
                            + " phases).";
                    System.out.println(note);
                    notes.add(note);
                }
            }
            Map<String, List<RepResult>> byConfig = new LinkedHashMap<>();
            for (Workload workload : options.workloads()) {
                for (int workers : options.workers()) {
                    byConfig.put(key(workload, workers), new ArrayList<>());
                }
            }
            for (int rep = 1; rep <= options.reps(); rep++) {
                for (int workers : options.workers()) {
                    for (Workload workload : options.workloads()) {
                        RepResult r = runner.run(
                                workload,
                                workers,
                                options.runs(workload),
                                options.ceilingWarmup(),
                                options.ceilingMeasure());
                        System.out.println(progress(rep, options.reps(), r));
                        byConfig.get(key(workload, workers)).add(r);
                    }
                }
            }
            List<Summary> summaries = new ArrayList<>();
            byConfig.forEach((k, reps) -> summaries.add(
                    new Summary(db.name(), reps.get(0).workload(), reps.get(0).workers(), reps)));
            return summaries;
        }
    }

    /**
     * Rounds of every configuration with fewer runs, until a round leaves the JIT compilers nearly idle: on two cores
     * a compiling JIT takes a core away from the workers and the database.
     */
    private static void warmUp(RepRunner runner, BenchOptions options) {
        long start = System.nanoTime();
        int rounds = 0;
        double jit;
        do {
            double before = ResourceMeter.jitSeconds();
            for (int workers : options.workers()) {
                for (Workload workload : options.workloads()) {
                    runner.run(workload, workers, options.warmupRuns(workload), WARMUP_CEILING, WARMUP_CEILING);
                }
            }
            jit = ResourceMeter.jitSeconds() - before;
            rounds++;
        } while (jit > SETTLED_JIT_SECONDS && rounds < options.maxWarmupRounds());
        System.out.printf(
                "warm-up: %d round(s) of %d chain and %d fan-out runs per worker count, %.0f s; the last"
                        + " round compiled for %.1f s%n",
                rounds, options.warmupChainRuns(), options.warmupFanOutRuns(), (System.nanoTime() - start) / 1e9, jit);
    }

    private static String key(Workload workload, int workers) {
        return workload + "/" + workers;
    }

    private static String progress(int rep, int reps, RepResult r) {
        String tx = r.txCounted()
                ? String.format(" | %s tx/step (exec-only %s)", num(r.txPerStep(), 3), num(r.execTxPerStep(), 3))
                : "";
        String foreign = r.foreignSessions() > 0 ? " | " + r.foreignSessions() + " other session(s) active" : "";
        return String.format(
                "rep %d/%d %-10s %2d workers %,5d runs: %s steps/s (exec-only %s) | ceiling %s/s"
                        + " | ours/ceiling %s%s | hand-off p50 %s ms p99 %s ms | %.1f s | JIT %.1f s | other processes %s cores%s",
                rep,
                reps,
                r.workload().label(),
                r.workers(),
                r.runs(),
                num(r.stepsPerSecond(), 0),
                num(r.execStepsPerSecond(), 0),
                num(r.ceiling().rowsPerSecond(), 0),
                num(r.ratio(), 2),
                tx,
                num(r.handoffP50Nanos() / 1e6, 2),
                num(r.handoffP99Nanos() / 1e6, 2),
                r.createSeconds() + r.execSeconds(),
                r.jitSeconds(),
                num(r.otherCores(), 2),
                foreign);
    }

    private static void printReport(Report report, List<String> notes, BenchOptions options, StringBuilder md) {
        String title = "Median of " + options.reps() + " repetition(s)" + (options.quick() ? " (--quick)" : "");
        System.out.println("\n" + title + ": throughput\n");
        System.out.println(report.throughput().text());
        System.out.println(title + ": cost\n");
        System.out.println(report.cost().text());
        md.append("### Throughput (")
                .append(title.toLowerCase(java.util.Locale.ROOT))
                .append(")\n\n")
                .append(report.throughput().markdown())
                .append('\n')
                .append("### Cost\n\n")
                .append(report.cost().markdown())
                .append('\n');
        String handoff = "Hand-off: from the end of a step's handler to the start of the next one's; every step of the"
                + " chain, the fan-in (last branch to join) of the fan-out.";
        System.out.println(handoff);
        md.append(handoff).append("\n\n");
        if (report.anyForeignSessions()) {
            String warning = "* other clients were active on the database during these measurements; their"
                    + " transactions are included in the counts.";
            System.out.println(warning);
            md.append(warning).append("\n\n");
        }
        if (report.repeatedCalls() > 0) {
            String warning = "Handlers ran " + report.repeatedCalls() + " more time(s) than once per step.";
            System.out.println(warning);
            md.append(warning).append("\n\n");
        }
        List<String> targets = report.targets();
        if (!targets.isEmpty()) {
            System.out.println("Targets (PostgreSQL, chain):");
            targets.forEach(t -> System.out.println("  " + t));
            md.append("### Targets (PostgreSQL, chain)\n\n");
            targets.forEach(t -> md.append("- ").append(t.replaceAll(" +", " ")).append('\n'));
            md.append('\n');
        }
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        if (!notes.isEmpty()) {
            md.append('\n');
        }
    }

    private static void printVerifier(List<VerifierBenchmark.Result> results, StringBuilder md) {
        String title = "QStash signature verification, one thread, median of 5 batches of "
                + num(results.get(0).iterations(), 0) + " after a warm-up batch";
        System.out.println("\n" + title + ":");
        Table t = new Table("signed with", "µs per verification", "verifications/s", "target < 50 µs");
        for (VerifierBenchmark.Result r : results) {
            t.row(
                    r.signedWith(),
                    num(r.microsPerVerification(), 1),
                    num(r.perSecond(), 0),
                    r.microsPerVerification() < VERIFIER_TARGET_MICROS ? "met" : "MISSED");
        }
        System.out.println(t.text());
        md.append("### ").append(title).append("\n\n").append(t.markdown()).append('\n');
    }

    private static String machine() {
        Runtime rt = Runtime.getRuntime();
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        return "Machine: " + rt.availableProcessors() + " cores (" + cpuModel() + "), " + memory() + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + "\n"
                + "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", max heap " + rt.maxMemory() / (1024 * 1024) + " MB (default), GC " + gcs;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GB RAM")
                    .findFirst()
                    .orElse("unknown RAM");
        } catch (IOException e) {
            return "unknown RAM";
        }
    }

    /** Keeps the store's and dispatcher's start/stop lines out of the tables (they log at INFO on every open). */
    private static void quietLogs() {
        if (LoggerFactory.getLogger("io.durableruns") instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
