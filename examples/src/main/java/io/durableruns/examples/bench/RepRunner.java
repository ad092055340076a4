package io.durableruns.examples.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.durableruns.core.dispatch.Dispatcher;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.jdbc.JdbcRunStore;
import io.durableruns.ports.in.CreateRunCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one repetition on fresh tables: the raw ceiling, then creating every run (the dispatcher not started yet),
 * then executing them with the local dispatcher. The store is closed between the phases so that PostgreSQL reports
 * the transactions of each phase separately.
 */
final class RepRunner {
    /** Extra pooled connections beyond one per worker: the dispatcher's fetcher and its LISTEN connection. */
    static final int EXTRA_CONNECTIONS = 2;

    private final int prefetch;
    private final int createBatch;

    private final BenchDatabase db;

    RepRunner(BenchDatabase db, int prefetch, int createBatch) {
        this.db = db;
        this.prefetch = prefetch;
        this.createBatch = createBatch;
    }

    RepResult run(Workload workload, int workers, int runs, Duration ceilingWarmup, Duration ceilingMeasure) {
        db.prepare();
        try {
            db.mark();
            RawInsertCeiling.Result ceiling = db.ceiling(workers, ceilingWarmup, ceilingMeasure);
            TxCount ceilingTx = db.mark();

            HandlerClock clock = new HandlerClock(runs, workload.stepsPerRun());
            GraphRegistry registry = new GraphRegistry().register(workload.graph(clock));
            ResourceMeter.resetPeakHeap();
            Phase create = create(registry, workload, workers, runs);
            TxCount createTx = db.mark();
            Phase exec = execute(registry, workers, runs);
            TxCount execTx = db.mark();
            long peakHeap = ResourceMeter.peakHeapBytes();

            long[] handoffs = clock.handoffs(workload);
            return new RepResult(
                    db.name(),
                    workload,
                    workers,
                    runs,
                    create.seconds(),
                    exec.seconds(),
                    ceiling,
                    ceilingTx,
                    createTx,
                    execTx,
                    db.countsTransactions(),
                    HandlerClock.percentile(handoffs, 0.50),
                    HandlerClock.percentile(handoffs, 0.99),
                    peakHeap,
                    create.jvmCpu() + exec.jvmCpu(),
                    create.serverCpu() + exec.serverCpu(),
                    create.jvmCpu(),
                    create.serverCpu(),
                    create.machineCpu() + exec.machineCpu(),
                    create.jit() + exec.jit(),
                    create.allocatedBytes() + exec.allocatedBytes(),
                    clock.repeatedCalls());
        } finally {
            db.cleanup();
        }
    }

    /**
     * Transactions of opening the store, building an engine, starting and stopping an idle dispatcher and closing
     * the store: the fixed cost included once in each phase of a repetition.
     */
    TxCount fixedCost(Workload workload, int workers) {
        db.prepare();
        try {
            GraphRegistry registry = new GraphRegistry().register(workload.graph(new HandlerClock(1, 1)));
            db.mark();
            try (JdbcRunStore store = db.open(workers + EXTRA_CONNECTIONS);
                    Dispatcher dispatcher = Dispatcher.builder()
                            .workers(workers)
                            .prefetch(prefetch)
                            .wakeSource(store)
                            .build()) {
                RunEngine engine = RunEngine.builder()
                        .store(store)
                        .registry(registry)
                        .dispatchSignal(dispatcher)
                        .build();
                dispatcher.start(engine);
            }
            return db.mark();
        } finally {
            db.cleanup();
        }
    }

    private record Phase(
            double seconds, double jvmCpu, double serverCpu, double machineCpu, double jit, long allocatedBytes) {}

    private Phase create(GraphRegistry registry, Workload workload, int threads, int runs) {
        try (JdbcRunStore store = db.open(threads + EXTRA_CONNECTIONS)) {
            RunEngine engine =
                    RunEngine.builder().store(store).registry(registry).build();
            db.awaitPool(threads + EXTRA_CONNECTIONS);
            Meter meter = new Meter(db);
            AtomicInteger next = new AtomicInteger();
            AtomicReference<RuntimeException> failure = new AtomicReference<>();
            // The creators have ended when the meter stops: each counts what it allocated.
            AtomicLong creatorsAllocated = new AtomicLong();
            List<Thread> creators = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                creators.add(new Thread(
                        () -> {
                            long allocatedBefore = ResourceMeter.allocatedByCurrentThread();
                            int first;
                            while ((first = next.getAndAdd(createBatch)) < runs && failure.get() == null) {
                                List<CreateRunCommand> commands = new ArrayList<>();
                                for (int i = first; i < Math.min(runs, first + createBatch); i++) {
                                    commands.add(CreateRunCommand.of(
                                            workload.graphName(),
                                            JsonNodeFactory.instance
                                                    .objectNode()
                                                    .put("i", i)));
                                }
                                try {
                                    if (commands.size() == 1) {
                                        engine.create(commands.get(0));
                                    } else {
                                        engine.createAll(commands);
                                    }
                                } catch (RuntimeException e) {
                                    failure.compareAndSet(null, e);
                                }
                            }
                            creatorsAllocated.addAndGet(ResourceMeter.allocatedByCurrentThread() - allocatedBefore);
                        },
                        "bench-create-" + t));
            }
            creators.forEach(Thread::start);
            for (Thread creator : creators) {
                join(creator);
            }
            if (failure.get() != null) {
                throw new IllegalStateException("creating runs failed: " + failure.get(), failure.get());
            }
            return meter.stop(System.nanoTime(), creatorsAllocated.get());
        }
    }

    private Phase execute(GraphRegistry registry, int workers, int runs) {
        Completion completion = new Completion(runs);
        try (JdbcRunStore store = db.open(workers + EXTRA_CONNECTIONS);
                Dispatcher dispatcher = Dispatcher.builder()
                        .workers(workers)
                        .prefetch(prefetch)
                        .wakeSource(store)
                        .build()) {
            RunEngine engine = RunEngine.builder()
                    .store(store)
                    .registry(registry)
                    .dispatchSignal(dispatcher)
                    .observer(completion)
                    .build();
            db.awaitPool(workers + EXTRA_CONNECTIONS);
            Meter meter = new Meter(db);
            dispatcher.start(engine);
            Duration timeout = Duration.ofMinutes(5);
            try {
                if (!completion.await(timeout)) {
                    throw new IllegalStateException(completion.unfinished() + " of " + runs
                            + " runs did not finish within " + timeout.toMinutes() + " minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the runs", e);
            }
            if (completion.unsuccessful() > 0) {
                throw new IllegalStateException(completion.unsuccessful() + " runs did not succeed");
            }
            return meter.stop(completion.lastFinishedNanos(), 0);
        }
    }

    /**
     * Wall time, JVM CPU, database server CPU, machine CPU and heap allocation from its creation to {@link #stop}.
     */
    private static final class Meter {
        private final BenchDatabase db;
        private final long startNanos = System.nanoTime();
        private final double jvmCpu = ResourceMeter.jvmCpuSeconds();
        private final double jit = ResourceMeter.jitSeconds();
        private final OptionalDouble serverCpu;
        private final OptionalDouble machineCpu = MachineCpu.busySeconds();
        private final Map<Long, Long> allocated = ResourceMeter.allocatedByThread();

        Meter(BenchDatabase db) {
            this.db = db;
            this.serverCpu = db.serverCpuSeconds();
        }

        /** Ends the phase; {@code endedThreadsAllocated} is what threads that ended meanwhile allocated. */
        Phase stop(long endNanos, long endedThreadsAllocated) {
            double jvm = ResourceMeter.jvmCpuSeconds() - jvmCpu;
            return new Phase(
                    (endNanos - startNanos) / 1e9,
                    jvm,
                    used(serverCpu, db.serverCpuSeconds()),
                    used(machineCpu, MachineCpu.busySeconds()),
                    ResourceMeter.jitSeconds() - jit,
                    ResourceMeter.allocatedSince(allocated) + endedThreadsAllocated);
        }

        private static double used(OptionalDouble before, OptionalDouble after) {
            return before.isPresent() && after.isPresent() ? after.getAsDouble() - before.getAsDouble() : Double.NaN;
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating runs", e);
        }
    }
}
