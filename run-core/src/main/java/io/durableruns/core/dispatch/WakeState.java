package io.durableruns.core.dispatch;

import io.durableruns.ports.out.DispatchTransport.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * When the dispatcher's fetcher should claim, and how many leases: it waits until a worker is free and there is a
 * reason to look for due work (an in-process signal, a notification from another process, a timer for an intent
 * due later or for due work another transaction held, a full previous claim, or the slow safety-net poll).
 *
 * <p>It also keeps the tasks a worker's commit claimed beyond its own next step ({@link Dispatcher.Builder#prefetch}):
 * they go to idle workers at once and otherwise wait here, at most {@code prefetch} of them, for the next worker
 * to finish. While any waits, no worker is idle: a worker that finishes takes the first waiting task instead, and a
 * worker whose commit readies no step for it takes one as its next ({@link #takeHeld}).
 */
final class WakeState {
    private static final Duration MIN_RELOOK = Duration.ofMillis(1);
    private static final Duration MAX_RELOOK = Duration.ofMillis(500);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final long pollNanos;
    private long relookNanos = MIN_RELOOK.toNanos();

    private int idle;
    private boolean dueNow;
    private boolean unknown = true;
    private boolean more;
    private Instant timer;
    private long nextPoll;
    private boolean stopped;

    private final int prefetch;
    private final Queue<Task> handoff;
    private final ArrayDeque<Task> held = new ArrayDeque<>();
    private int reserved;

    WakeState(int workers, Duration pollInterval) {
        this(workers, pollInterval, 0, new LinkedBlockingQueue<>());
    }

    /**
     * @param prefetch how many tasks claimed beyond the workers' own may wait for a free worker
     * @param handoff the queue idle workers take their tasks from
     */
    WakeState(int workers, Duration pollInterval, int prefetch, Queue<Task> handoff) {
        this.idle = workers;
        this.pollNanos = pollInterval.toNanos();
        this.nextPoll = System.nanoTime() + pollNanos;
        this.prefetch = prefetch;
        this.handoff = handoff;
    }

    /** Permission to claim up to {@code slots} leases; {@code lookUpNextDue} when the due times are unknown. */
    record Grant(int slots, boolean lookUpNextDue) {}

    /** Blocks until a claim is worth making; {@code null} once stopped. */
    Grant awaitGrant(int batchSize) throws InterruptedException {
        lock.lock();
        try {
            while (!stopped) {
                long nowNanos = System.nanoTime();
                Instant now = Instant.now();
                boolean timerDue = timer != null && !timer.isAfter(now);
                boolean pollDue = nowNanos - nextPoll >= 0;
                if (idle > 0 && (dueNow || unknown || more || timerDue || pollDue)) {
                    int slots = Math.min(idle, batchSize);
                    idle -= slots;
                    boolean lookUp = unknown || timerDue || pollDue;
                    dueNow = false;
                    unknown = false;
                    more = false;
                    if (timerDue) {
                        timer = null;
                    }
                    nextPoll = nowNanos + pollNanos;
                    return new Grant(slots, lookUp);
                }
                if (idle == 0) {
                    changed.await();
                    continue;
                }
                long wait = nextPoll - nowNanos;
                if (timer != null) {
                    wait = Math.min(wait, Duration.between(now, timer).toNanos());
                }
                changed.awaitNanos(Math.max(wait, TimeUnit.MICROSECONDS.toNanos(100)));
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The claim of a grant returned {@code claimed} leases; the unused slots are free again. A full claim means more
     * may be due: claim again as soon as a worker is free, and if this grant was to look up the next due time, the
     * next one does it instead.
     */
    void claimed(Grant grant, int claimed) {
        lock.lock();
        try {
            idle += grant.slots() - claimed;
            if (claimed == grant.slots()) {
                if (grant.lookUpNextDue()) {
                    unknown = true;
                } else {
                    more = true;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A worker finished its chain of leases: it takes the first waiting task, if one waits, or is idle. */
    void workerIdle() {
        lock.lock();
        try {
            idle++;
            while (idle > 0 && !held.isEmpty()) {
                idle--;
                handoff.add(held.poll());
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reserves room for up to {@code wanted} tasks that a commit being made may claim beyond its worker's own;
     * returns how many it may claim. Give the reservation back with {@link #claimedBeyond}, whatever happens.
     */
    int reserveBeyond(int wanted) {
        lock.lock();
        try {
            int room = Math.max(0, Math.min(wanted, prefetch - held.size() - reserved));
            reserved += room;
            return room;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The commit that reserved {@code reservation} claimed {@code tasks} (no more than that): idle workers take them
     * at once, the rest wait for the next worker to finish. Once stopped, nothing is kept: the tasks come back for
     * the caller to give back.
     */
    List<Task> claimedBeyond(int reservation, List<Task> tasks) {
        if (reservation == 0 && tasks.isEmpty()) {
            return List.of();
        }
        lock.lock();
        try {
            reserved -= reservation;
            if (stopped) {
                return tasks;
            }
            for (Task task : tasks) {
                if (idle > 0) {
                    idle--;
                    handoff.add(task);
                } else {
                    held.add(task);
                }
            }
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    /** The first task waiting for a worker, removed, for a worker that is about to need one; else null. */
    Task takeHeld() {
        if (prefetch == 0) {
            return null;
        }
        lock.lock();
        try {
            return held.poll();
        } finally {
            lock.unlock();
        }
    }

    /** Removes and returns the tasks waiting for a worker (at shutdown, to give them back). */
    List<Task> drainHeld() {
        lock.lock();
        try {
            List<Task> tasks = new ArrayList<>(held);
            held.clear();
            return tasks;
        } finally {
            lock.unlock();
        }
    }

    /** Intents were committed in this process; the earliest is due at {@code due}. */
    void intentsDue(Instant due) {
        lock.lock();
        try {
            if (due.isAfter(Instant.now())) {
                timer = timer == null || due.isBefore(timer) ? due : timer;
            } else {
                dueNow = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A take came back short, and the earliest intent left is due at {@code next}. Later than {@code now}: a timer
     * for it. Already due: the take left due work behind that other transactions held, so look again after a short
     * pause, doubling while it stays held, never longer than {@link #MAX_RELOOK} (locks are held for a transaction,
     * milliseconds). Nothing left, or nothing due yet: the next pause starts short again.
     */
    void afterShortTake(Optional<Instant> next, Instant now) {
        lock.lock();
        try {
            Instant at;
            if (next.isPresent() && !next.get().isAfter(now)) {
                at = now.plusNanos(relookNanos);
                relookNanos = Math.min(relookNanos * 2, MAX_RELOOK.toNanos());
            } else {
                relookNanos = MIN_RELOOK.toNanos();
                if (next.isEmpty()) {
                    return;
                }
                at = next.get();
            }
            timer = timer == null || at.isBefore(timer) ? at : timer;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Intents may have been committed elsewhere, due at unknown times. */
    void intentsUnknown() {
        lock.lock();
        try {
            unknown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void stop() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
