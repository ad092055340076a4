package io.durableruns.core.dispatch;

import io.durableruns.ports.in.SweepUseCase;
import io.durableruns.ports.out.DispatchTransport;
import io.durableruns.ports.out.DispatchTransport.Task;
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
 * The threads of a {@link Dispatcher}: one fetcher that takes due work from the transport in batches (no more than
 * there are free workers) and hands it to a fixed pool of workers; each worker runs its task and then the task the
 * transport handed over with it (a successor claimed in the same commit), until the chain ends. A sweeper thread
 * recovers expired leases and stranded steps periodically.
 */
final class DispatchThreads {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchThreads.class);
    private static final Task STOP = new Task() {
        @Override
        public Optional<Task> run() {
            return Optional.empty();
        }

        @Override
        public void giveBack() {}
    };

    private final Dispatcher.Settings settings;
    private final DispatchTransport transport;
    private final WakeState wake;
    private final BlockingQueue<Task> handoff = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private final Thread fetcher;
    private final ScheduledExecutorService sweeperThread;
    private final AtomicInteger workerNames = new AtomicInteger();
    private final AtomicLong replaced = new AtomicLong();
    private SweepUseCase sweeper;
    private volatile boolean stopping;

    DispatchThreads(Dispatcher.Settings settings, DispatchTransport transport) {
        this.settings = settings;
        this.transport = transport;
        this.wake = new WakeState(settings.workers(), settings.pollInterval(), settings.prefetch(), handoff);
        for (int i = 0; i < settings.workers(); i++) {
            workers.add(newWorker());
        }
        this.fetcher = daemon(this::fetchLoop, "durable-runs-fetcher");
        this.sweeperThread = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "durable-runs-sweeper"));
    }

    /** Starts the threads; the fetcher takes work at once, the sweeper sweeps at once and then periodically. */
    void start(SweepUseCase stepSweeper) {
        this.sweeper = stepSweeper;
        workers.forEach(Thread::start);
        fetcher.start();
        long sweepMillis = settings.sweepInterval().toMillis();
        sweeperThread.scheduleWithFixedDelay(this::sweepOnce, 0, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /** Work falls due at {@code due} (now or earlier: at once; later: a timer). */
    void intentsDue(Instant due) {
        wake.intentsDue(due);
    }

    /** Work may have been committed by another process. */
    void intentsUnknown() {
        wake.intentsUnknown();
    }

    /** See {@link WakeState#takeHeld}. */
    Task takeHeld() {
        return wake.takeHeld();
    }

    /** See {@link WakeState#reserveBeyond}. */
    int reserveBeyond(int wanted) {
        return wake.reserveBeyond(wanted);
    }

    /** See {@link WakeState#claimedBeyond}; gives back at once what arrives once stopping. */
    void claimedBeyond(int reservation, List<Task> tasks) {
        wake.claimedBeyond(reservation, tasks).forEach(DispatchThreads::giveBack);
    }

    long workersReplaced() {
        return replaced.get();
    }

    /**
     * A worker thread. Its loop survives whatever a task throws; if the thread dies anyway (a {@link
     * VirtualMachineError} thrown by the engine itself rather than by a step's handler), a replacement takes its
     * place at once, and the death is logged and counted.
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
            List<Task> tasks;
            try {
                tasks = transport.take(grant.slots());
            } catch (Throwable e) {
                LOG.warn("Taking due work failed; retrying at the next signal or poll: {}", e.toString());
                wake.claimed(grant, 0);
                continue;
            }
            if (stopping) {
                tasks.forEach(DispatchThreads::giveBack);
                wake.claimed(grant, 0);
                return;
            }
            wake.claimed(grant, tasks.size());
            handoff.addAll(tasks);
            if (tasks.size() < grant.slots()) {
                scheduleNextDue();
            }
        }
    }

    /**
     * After a take that came back short: when does work fall due next? Later: a timer. Already: the take left due
     * work behind, held for the moment by another transaction (a claim skips what others lock, and the holder,
     * a commit or another process's claim, may skip it in turn), so nobody may be about to take it and no signal
     * may come. Then look again shortly, backing off while it stays held.
     */
    private void scheduleNextDue() {
        Optional<Instant> next;
        try {
            next = transport.nextDueAt();
        } catch (Throwable e) {
            LOG.warn("Looking up when work falls due failed; the poll will retry: {}", e.toString());
            return;
        }
        wake.afterShortTake(next, Instant.now());
    }

    private void workLoop() {
        while (true) {
            Task task;
            try {
                task = handoff.take();
            } catch (InterruptedException e) {
                if (stopping) {
                    return;
                }
                continue;
            }
            if (task == STOP) {
                return;
            }
            try {
                runChain(task);
            } finally {
                wake.workerIdle();
            }
        }
    }

    private void runChain(Task first) {
        Task task = first;
        while (task != null) {
            if (stopping) {
                giveBack(task);
                return;
            }
            try {
                task = task.run().orElse(null);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.warn("A dispatch task failed; what it held is recovered when its lease runs out: {}", e.toString());
                return;
            }
        }
    }

    private static void giveBack(Task task) {
        try {
            task.giveBack();
        } catch (Throwable e) {
            LOG.warn("Giving back unstarted work failed; its lease will expire instead: {}", e.toString());
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
     * Stops taking work, gives back the tasks no worker started, lets running tasks finish within the grace period,
     * then interrupts the workers still running.
     */
    void stop() {
        stopping = true;
        wake.stop();
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        join(fetcher, deadline);
        sweeperThread.shutdown();
        List<Task> unstarted = new ArrayList<>();
        handoff.drainTo(unstarted);
        unstarted.addAll(wake.drainHeld());
        unstarted.stream().filter(task -> task != STOP).forEach(DispatchThreads::giveBack);
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
