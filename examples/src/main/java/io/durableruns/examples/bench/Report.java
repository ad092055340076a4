package io.durableruns.examples.bench;

import static io.durableruns.examples.bench.Table.num;

import java.util.ArrayList;
import java.util.List;

/** The tables of a benchmark run, and the targets of the PostgreSQL chain. */
final class Report {
    static final double MAX_TX_PER_STEP = 2.0;
    static final double MAX_TX_PER_STEP_GOAL = 1.05;
    static final double MAX_HANDOFF_P50_MS = 2.0;
    static final double MAX_HANDOFF_P99_MS = 10.0;
    static final double MIN_CEILING_RATIO = 0.40;

    private final List<Summary> summaries;

    Report(List<Summary> summaries) {
        this.summaries = summaries;
    }

    Table throughput() {
        Table t = new Table(
                "database",
                "workload",
                "workers",
                "runs",
                "steps/s",
                "runs/s",
                "exec-only steps/s",
                "raw insert ceiling/s",
                "ours ÷ ceiling",
                "exec-only ÷ ceiling");
        for (Summary s : summaries) {
            t.row(
                    s.database(),
                    s.workload().label(),
                    Integer.toString(s.workers()),
                    num(s.runs(), 0),
                    num(s.median(RepResult::stepsPerSecond), 0),
                    num(s.median(RepResult::runsPerSecond), 0),
                    num(s.median(RepResult::execStepsPerSecond), 0),
                    num(s.median(r -> r.ceiling().rowsPerSecond()), 0),
                    num(s.median(RepResult::ratio), 2),
                    num(s.median(RepResult::execRatio), 2));
        }
        return t;
    }

    Table cost() {
        Table t = new Table(
                "database",
                "workload",
                "workers",
                "tx/step",
                "exec-only tx/step",
                "rollbacks/step",
                "ceiling tx/row",
                "WAL records/step",
                "WAL full pages/step",
                "WAL bytes/step",
                "hand-off p50 ms",
                "hand-off p99 ms",
                "peak heap MB",
                "allocated KB/step",
                "JVM CPU s/1k steps",
                "PG CPU s/1k steps",
                "of it creating: JVM / PG",
                "other processes (cores)");
        for (Summary s : summaries) {
            String mark = s.foreignSessions() > 0 ? " *" : "";
            t.row(
                    s.database(),
                    s.workload().label(),
                    Integer.toString(s.workers()),
                    num(s.median(RepResult::txPerStep), 3) + mark,
                    num(s.median(RepResult::execTxPerStep), 3) + mark,
                    num(s.median(RepResult::rollbacksPerStep), 3),
                    num(s.median(RepResult::ceilingTxPerRow), 3),
                    num(s.median(RepResult::walRecordsPerStep), 1),
                    num(s.median(RepResult::walFpiPerStep), 2),
                    num(s.median(RepResult::walBytesPerStep), 0),
                    num(s.median(r -> r.handoffP50Nanos() / 1e6), 2),
                    num(s.median(r -> r.handoffP99Nanos() / 1e6), 2),
                    num(s.median(r -> r.peakHeapBytes() / 1048576.0), 0),
                    num(s.median(RepResult::allocatedKbPerStep), 1),
                    num(s.median(RepResult::jvmCpuPer1000Steps), 2),
                    num(s.median(RepResult::serverCpuPer1000Steps), 2),
                    num(s.median(RepResult::createJvmCpuPer1000Steps), 2) + " / "
                            + num(s.median(RepResult::createServerCpuPer1000Steps), 2),
                    num(s.median(RepResult::otherCores), 2));
        }
        return t;
    }

    /** One line per target of the PostgreSQL chain, saying whether the medians met it. */
    List<String> targets() {
        List<String> lines = new ArrayList<>();
        for (Summary s : summaries) {
            if (!s.database().equals("PostgreSQL") || s.workload() != Workload.CHAIN) {
                continue;
            }
            String at = "PostgreSQL chain, " + s.workers() + " workers: ";
            double tx = s.median(RepResult::txPerStep);
            lines.add(at + verdict(tx <= MAX_TX_PER_STEP) + " committed transactions per step ≤ "
                    + num(MAX_TX_PER_STEP, 1) + " (" + num(tx, 2) + ")");
            lines.add(at + verdict(tx <= MAX_TX_PER_STEP_GOAL) + " committed transactions per step ≤ "
                    + num(MAX_TX_PER_STEP_GOAL, 2) + " (" + num(tx, 3) + ")");
            double p50 = s.median(r -> r.handoffP50Nanos() / 1e6);
            lines.add(at + verdict(p50 < MAX_HANDOFF_P50_MS) + " hand-off p50 < " + num(MAX_HANDOFF_P50_MS, 0) + " ms ("
                    + num(p50, 2) + " ms)");
            double p99 = s.median(r -> r.handoffP99Nanos() / 1e6);
            lines.add(at + verdict(p99 < MAX_HANDOFF_P99_MS) + " hand-off p99 < " + num(MAX_HANDOFF_P99_MS, 0) + " ms ("
                    + num(p99, 2) + " ms)");
            double ratio = s.median(RepResult::ratio);
            lines.add(at + verdict(ratio >= MIN_CEILING_RATIO) + " throughput ≥ " + num(MIN_CEILING_RATIO * 100, 0)
                    + "% of the raw insert ceiling (" + num(ratio * 100, 0) + "%, exec-only "
                    + num(s.median(RepResult::execRatio) * 100, 0) + "%)");
        }
        if (!lines.isEmpty()) {
            lines.add("Against a peer: measure it in the same minute on the same machine and compare steps/s"
                    + " (docs/BENCHMARKS.md, side by side); a figure from another run says nothing.");
        }
        return lines;
    }

    boolean anyForeignSessions() {
        return summaries.stream().anyMatch(s -> s.foreignSessions() > 0);
    }

    int repeatedCalls() {
        return summaries.stream().mapToInt(Summary::repeatedCalls).sum();
    }

    private static String verdict(boolean met) {
        return met ? "met   " : "MISSED";
    }
}
