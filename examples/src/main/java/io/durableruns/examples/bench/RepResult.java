package io.durableruns.examples.bench;

import java.util.function.ToLongFunction;

/**
 * One repetition of one configuration. Times are wall-clock seconds; CPU figures are seconds; the server CPU is NaN
 * when the database runs inside the JVM or elsewhere.
 *
 * @param createSeconds creating every run (several threads, dispatcher not started)
 * @param execSeconds from starting the dispatcher to the last run finished
 * @param ceiling the raw insert ceiling measured just before, with as many threads as workers
 * @param ceilingTx transactions counted while measuring the ceiling (a check of the counting method)
 * @param handoffP50Nanos median hand-off latency (end of a handler to the start of the next step's handler)
 * @param machineCpuSeconds CPU seconds of every process on the machine meanwhile (NaN when unknown)
 * @param jitSeconds time the JIT compilers spent compiling meanwhile (part of the JVM CPU)
 * @param allocatedBytes bytes allocated on the heap by the JVM's threads meanwhile
 * @param repeatedCalls handler calls beyond one per step (0 expected)
 */
record RepResult(
        String database,
        Workload workload,
        int workers,
        int runs,
        double createSeconds,
        double execSeconds,
        RawInsertCeiling.Result ceiling,
        TxCount ceilingTx,
        TxCount createTx,
        TxCount execTx,
        boolean txCounted,
        double handoffP50Nanos,
        double handoffP99Nanos,
        long peakHeapBytes,
        double jvmCpuSeconds,
        double serverCpuSeconds,
        double createJvmCpuSeconds,
        double createServerCpuSeconds,
        double machineCpuSeconds,
        double jitSeconds,
        long allocatedBytes,
        int repeatedCalls) {

    int steps() {
        return runs * workload.stepsPerRun();
    }

    double stepsPerSecond() {
        return steps() / (createSeconds + execSeconds);
    }

    double runsPerSecond() {
        return runs / (createSeconds + execSeconds);
    }

    double execStepsPerSecond() {
        return steps() / execSeconds;
    }

    double ratio() {
        return stepsPerSecond() / ceiling.rowsPerSecond();
    }

    double execRatio() {
        return execStepsPerSecond() / ceiling.rowsPerSecond();
    }

    double txPerStep() {
        return perStep(TxCount::commits);
    }

    double execTxPerStep() {
        return txCounted ? (double) execTx.commits() / steps() : Double.NaN;
    }

    /** Write-ahead log per step, creation and execution, the whole cluster's (see {@link TxCount}). */
    double walBytesPerStep() {
        return perStep(TxCount::walBytes);
    }

    double walRecordsPerStep() {
        return perStep(TxCount::walRecords);
    }

    double walFpiPerStep() {
        return perStep(TxCount::walFpi);
    }

    /** A counter of creation and execution together, per step; NaN when the database counts no transactions. */
    private double perStep(ToLongFunction<TxCount> counter) {
        return txCounted ? (double) counter.applyAsLong(createTx.plus(execTx)) / steps() : Double.NaN;
    }

    double rollbacksPerStep() {
        return perStep(TxCount::rollbacks);
    }

    double ceilingTxPerRow() {
        return txCounted ? (double) ceilingTx.commits() / ceiling.totalRows() : Double.NaN;
    }

    double allocatedKbPerStep() {
        return allocatedBytes / 1024.0 / steps();
    }

    double jvmCpuPer1000Steps() {
        return jvmCpuSeconds * 1000 / steps();
    }

    double serverCpuPer1000Steps() {
        return serverCpuSeconds * 1000 / steps();
    }

    /** The part of {@link #jvmCpuPer1000Steps} spent creating the runs. */
    double createJvmCpuPer1000Steps() {
        return createJvmCpuSeconds * 1000 / steps();
    }

    /** The part of {@link #serverCpuPer1000Steps} spent creating the runs. */
    double createServerCpuPer1000Steps() {
        return createServerCpuSeconds * 1000 / steps();
    }

    /**
     * The average number of cores other processes kept busy while this repetition ran (the machine's busy time minus
     * this JVM's and the database server's): near 0 on a quiet machine.
     */
    double otherCores() {
        double server = Double.isNaN(serverCpuSeconds) ? 0 : serverCpuSeconds;
        return Math.max(0, machineCpuSeconds - jvmCpuSeconds - server) / (createSeconds + execSeconds);
    }

    int foreignSessions() {
        return Math.max(ceilingTx.foreignSessions(), createTx.plus(execTx).foreignSessions());
    }
}
