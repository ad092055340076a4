package io.durableruns.jdbc.internal;

import io.durableruns.ports.in.StepWorkerUseCase;
import io.durableruns.ports.in.SweepUseCase;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.out.EngineObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of the local dispatcher: one fetcher that claims due leases in batches (no more than there are free
 * workers) and hands them to a fixed pool of workers; each worker runs its lease and then the successor the engine
 * claimed for it in the same commit, until the chain ends. A sweeper thread recovers expired leases and stranded
 * steps periodically.
 */
public final class DispatcherCore {
    private static final Logger LOG = LoggerFactory.getLogger(DispatcherCore.class);
    private static final StepLease STOP = new StepLease("stop", "stop", 1, "stop", Instant.EPOCH);

    private StepWorkerUseCase worker;
    private SweepUseCase sweeper;
    private final Settings settings;
    private final WakeState wake;
    private final BlockingQueue<StepLease> handoff = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private final Thread fetcher;
    private final ScheduledExecutorService sweeperThread;
    private final AtomicInteger workerNames = new AtomicInteger();
    private final AtomicLong replaced = new AtomicLong();
    private volatile boolean stopping;

    /** The dispatcher's tuning, validated by its builder. */
    public record Settings(
            String owner,
            int workers,
            int batchSize,
            Duration pollInterval,
            Duration sweepInterval,
            Duration shutdownGrace,
            EngineObserver observer) {}

    public DispatcherCore(Settings settings) {
        this.settings = settings;
        this.wake = new WakeState(settings.workers(), settings.pollInterval());
        for (int i = 0; i < settings.workers(); i++) {
            workers.add(newWorker());
        }
        this.fetcher = daemon(this::fetchLoop, "durable-runs-fetcher");
        this.sweeperThread = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "durable-runs-sweeper"));
    }

    /** How many worker threads died and were replaced since the start. */
    public long workersReplaced() {
        return replaced.get();
    }

    /**
     * A worker thread. Its loop survives whatever a step throws; if the thread dies anyway (a {@link
     * VirtualMachineError} thrown by the engine itself rather than by a handler), a replacement takes its place at
     * once, and the death is logged and counted.
     */
    private Thread newWorker() {
        String name = "durable-runs-worker-" + workerNames.incrementAndGet();
        return daemon(
                () -> {
                    try {
                        workLoop();
                    } catch (Throwable death) {
                        replaceDeadWorker(name, death);
                        throw death;
                    }
                },
                name);
    }

    private void replaceDeadWorker(String name, Throwable death) {
        workers.remove(Thread.currentThread());
        if (stopping) {
            return;
        }
        replaced.incrementAndGet();
        LOG.error("Worker {} died; a new worker takes its place", name, death);
        settings.observer().workerReplaced(name, death);
        Thread replacement = newWorker();
        workers.add(replacement);
        replacement.start();
    }

    /** Starts the threads; the fetcher claims at once, the sweeper sweeps at once and then periodically. */
    public void start(StepWorkerUseCase stepWorker, SweepUseCase stepSweeper) {
        this.worker = stepWorker;
        this.sweeper = stepSweeper;
        workers.forEach(Thread::start);
        fetcher.start();
        long sweepMillis = settings.sweepInterval().toMillis();
        sweeperThread.scheduleWithFixedDelay(this::sweepOnce, 0, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /** Intents were committed in this process, the earliest due at {@code due}. */
    public void intentsDue(Instant due) {
        wake.intentsDue(due);
    }

    /** Intents may have been committed by another process. */
    public void intentsUnknown() {
        wake.intentsUnknown();
    }

    private void fetchLoop() {
        while (true) {
            WakeState.Grant grant;
            try {
                grant = wake.awaitGrant(settings.batchSize());
            } catch (InterruptedException e) {
                if (stopping) {
                    return;
                }
                continue;
            }
            if (grant == null) {
                return;
            }
            List<StepLease> leases;
            try {
                leases = worker.claimDue(settings.owner(), grant.slots());
            } catch (Throwable e) {
                LOG.warn("Claiming due steps failed; retrying at the next signal or poll: {}", e.toString());
                wake.claimed(grant, 0);
                continue;
            }
            if (stopping) {
                leases.forEach(this::release);
                wake.claimed(grant, 0);
                return;
            }
            wake.claimed(grant, leases.size());
            handoff.addAll(leases);
            if (grant.lookUpNextDue() && leases.size() < grant.slots()) {
                scheduleNextDue();
            }
        }
    }

    private void scheduleNextDue() {
        try {
            Optional<Instant> next = worker.nextDueAt();
            next.filter(due -> due.isAfter(Instant.now())).ifPresent(wake::intentsDue);
        } catch (Throwable e) {
            LOG.warn("Looking up the next due step failed; the poll will retry: {}", e.toString());
        }
    }

    private void workLoop() {
        while (true) {
            StepLease lease;
            try {
                lease = handoff.take();
            } catch (InterruptedException e) {
                if (stopping) {
                    return;
                }
                continue;
            }
            if (lease == STOP) {
                return;
            }
            try {
                runChain(lease);
            } finally {
                wake.workerIdle();
            }
        }
    }

    private void runChain(StepLease first) {
        StepLease lease = first;
        while (lease != null) {
            if (stopping) {
                release(lease);
                return;
            }
            try {
                lease = worker.work(lease, true).next().orElse(null);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.warn(
                        "Step {} of run {} (attempt {}) could not be completed; its lease will expire and the"
                                + " sweeper will recover it: {}",
                        lease.step(),
                        lease.runId(),
                        lease.attempt(),
                        e.toString());
                return;
            }
        }
    }

    private void release(StepLease lease) {
        try {
            worker.release(lease);
        } catch (RuntimeException e) {
            LOG.warn(
                    "Releasing step {} of run {} failed; its lease will expire instead: {}",
                    lease.step(),
                    lease.runId(),
                    e.getMessage());
        }
    }

    private void sweepOnce() {
        if (stopping) {
            return;
        }
        try {
            sweeper.sweep();
        } catch (Throwable e) {
            LOG.warn(
                    "Sweeping expired leases and stranded steps failed; retrying in {} ms: {}",
                    settings.sweepInterval().toMillis(),
                    e.toString());
        }
    }

    /**
     * Stops claiming, gives back the leases no worker started, lets running steps finish within the grace period,
     * then interrupts the workers still running.
     */
    public void stop() {
        stopping = true;
        wake.stop();
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        join(fetcher, deadline);
        sweeperThread.shutdown();
        List<StepLease> unstarted = new ArrayList<>();
        handoff.drainTo(unstarted);
        unstarted.stream().filter(lease -> lease != STOP).forEach(this::release);
        workers.forEach(w -> handoff.add(STOP));
        for (Thread w : workers) {
            join(w, deadline);
        }
        List<Thread> stuck = workers.stream().filter(Thread::isAlive).toList();
        if (!stuck.isEmpty()) {
            LOG.warn(
                    "{} worker(s) still running after the {} ms shutdown grace; interrupting them",
                    stuck.size(),
                    settings.shutdownGrace().toMillis());
            stuck.forEach(Thread::interrupt);
            long after = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            stuck.forEach(w -> join(w, after));
        }
        fetcher.interrupt();
        sweeperThread.shutdownNow();
        try {
            sweeperThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread thread, long deadlineNanos) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            return;
        }
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
