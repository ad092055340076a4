package io.durableruns.jdbc.internal;

import io.durableruns.ports.StoreException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The order in which transactions get SQLite's single writer. Two queues, each first come, first served:
 * interactive transactions (work a caller waits for: a run's creation, a cancel, a retry) and background ones
 * (the dispatcher's claims and commits, the sweeper's recoveries). When the writer comes free and both queues
 * hold a transaction, they take turns: an interactive one goes first unless the previous turn was also
 * interactive. So an API call waits for at most one background transaction before its own, whatever the number
 * of workers queued, and background work still gets every other turn however many calls arrive.
 *
 * <p>Without it, every writer waits in the connection pool's single queue, and a run's creation waits behind
 * every worker's commit that came before it.
 */
public final class WriterTurns {
    private final int writers;
    private final long timeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> interactive = new ArrayDeque<>();
    private final ArrayDeque<Waiter> background = new ArrayDeque<>();
    private int holders;
    private boolean lastTurnInteractive;

    /**
     * @param writers how many transactions may hold a turn at once (the write pool's size)
     * @param timeout how long a transaction waits for its turn before it fails with a transient
     *     {@link StoreException}
     */
    public WriterTurns(int writers, Duration timeout) {
        if (writers < 1) {
            throw new IllegalArgumentException("writers must be positive, was " + writers);
        }
        this.writers = writers;
        this.timeoutNanos = timeout.toNanos();
    }

    /** Runs {@code work} once it has its turn, and gives the turn on when it returns or throws. */
    public <R> R run(boolean interactiveWork, Supplier<R> work) {
        acquire(interactiveWork);
        try {
            return work.get();
        } finally {
            release();
        }
    }

    /** How many transactions wait for a turn (for tests). */
    public int waiting() {
        lock.lock();
        try {
            return interactive.size() + background.size();
        } finally {
            lock.unlock();
        }
    }

    private void acquire(boolean interactiveWork) {
        lock.lock();
        try {
            if (holders < writers && interactive.isEmpty() && background.isEmpty()) {
                holders++;
                lastTurnInteractive = interactiveWork;
                return;
            }
            Waiter me = new Waiter(lock.newCondition());
            (interactiveWork ? interactive : background).add(me);
            long remaining = timeoutNanos;
            boolean interrupted = false;
            try {
                while (!me.granted) {
                    if (remaining <= 0) {
                        (interactiveWork ? interactive : background).remove(me);
                        throw new StoreException(
                                "waited " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                                        + " ms for the SQLite writer; a transaction holds it for too long",
                                null,
                                true);
                    }
                    try {
                        remaining = me.turn.awaitNanos(remaining);
                    } catch (InterruptedException e) {
                        // A turn lasts one transaction; the interrupt is kept for the caller.
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void release() {
        lock.lock();
        try {
            holders--;
            boolean interactiveNext =
                    !interactive.isEmpty() && (background.isEmpty() || !lastTurnInteractive);
            Waiter next = interactiveNext ? interactive.poll() : background.poll();
            if (next != null) {
                holders++;
                lastTurnInteractive = interactiveNext;
                next.granted = true;
                next.turn.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private static final class Waiter {
        final Condition turn;
        boolean granted;

        Waiter(Condition turn) {
            this.turn = turn;
        }
    }
}
