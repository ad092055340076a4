package io.durableruns.examples.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When each step handler of each run started and ended ({@link System#nanoTime()}), and how often it ran. The
 * hand-off latency of a step is the start of its handler minus the end of the last handler it depended on: the time
 * spent committing the dependency, readying the step and delivering it to a worker.
 */
final class HandlerClock {
    private final int stepsPerRun;
    private final AtomicLongArray starts;
    private final AtomicLongArray ends;
    private final AtomicIntegerArray calls;

    HandlerClock(int runs, int stepsPerRun) {
        this.stepsPerRun = stepsPerRun;
        this.starts = new AtomicLongArray(runs * stepsPerRun);
        this.ends = new AtomicLongArray(runs * stepsPerRun);
        this.calls = new AtomicIntegerArray(runs * stepsPerRun);
    }

    void started(int run, int step) {
        int slot = run * stepsPerRun + step;
        starts.set(slot, System.nanoTime());
        calls.incrementAndGet(slot);
    }

    void ended(int run, int step) {
        ends.set(run * stepsPerRun + step, System.nanoTime());
    }

    /** How many handler calls were repeats of a call that already happened (0 when every step ran once). */
    int repeatedCalls() {
        int repeats = 0;
        for (int i = 0; i < calls.length(); i++) {
            repeats += Math.max(0, calls.get(i) - 1);
        }
        return repeats;
    }

    /** The hand-off latencies of the workload's measured steps, in nanoseconds, sorted. */
    long[] handoffs(Workload workload) {
        int runs = starts.length() / stepsPerRun;
        long[] out = new long[starts.length()];
        int n = 0;
        for (int run = 0; run < runs; run++) {
            for (int step = 0; step < stepsPerRun; step++) {
                Workload.Step measured = workload.steps().get(step);
                if (!measured.measured()) {
                    continue;
                }
                int[] deps = measured.dependencies();
                long lastDependencyEnd = Long.MIN_VALUE;
                for (int d : deps) {
                    lastDependencyEnd = Math.max(lastDependencyEnd, ends.get(run * stepsPerRun + d));
                }
                out[n++] = starts.get(run * stepsPerRun + step) - lastDependencyEnd;
            }
        }
        long[] sorted = Arrays.copyOf(out, n);
        Arrays.sort(sorted);
        return sorted;
    }

    /** The nearest-rank percentile {@code p} (0 to 1) of sorted values, or NaN when there are none. */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
