package io.durableruns.jdbc.internal;

import io.durableruns.ports.StoreException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The order in which transactions get SQLite's single writer. Interactive transactions (work a caller waits for:
 * a run's creation, a cancel, a retry) queue first come, first served, and the writer is handed straight to the
 * first of them when it comes free; background ones (the dispatcher's claims and commits, the sweeper's
 * recoveries) take it whenever no interactive transaction is owed a turn. When both wait they take turns: after
 * an interactive turn the next goes to a background transaction. So an API call waits for at most one background
 * transaction before its own, whatever the number of workers queued, and background work still gets every other
 * turn however many calls arrive.
 *
 * <p>Background transactions are not always handed the writer in order: a worker that finds it free takes it,
 * while the one woken to take it may find it gone and wait again. Handing it to the longest waiter on every commit
 * instead leaves it idle until that thread is scheduled, which on two busy cores cost the dispatcher a tenth to a
 * third of its throughput. But a worker passed over again and again waits for tens of milliseconds, while most
 * wait for none. So background waiters queue in order, and the first of them is the one woken; once it has
 * waited {@link #STARVATION} or longer, the writer is handed to it directly when it comes free, and no worker
 * arriving meanwhile may take it first (the starvation mode of Go's {@code sync.Mutex}). A waiter woken and passed
 * over keeps its place at the head of the queue.
 *
 * <p>Without these turns every writer waits in the connection pool's single queue, and a run's creation waits
 * behind every worker's commit that came before it.
 */
public final class WriterTurns {
    /** How long the first background waiter may be passed over before the writer is handed to it. */
    static final Duration STARVATION = Duration.ofMillis(5);

    private final int writers;
    private final long timeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final long starvationNanos;
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
        this(writers, timeout, STARVATION);
    }

    /**
     * @param starvation how long the first background transaction in the queue may wait before the writer is
     *     handed to it directly, ahead of workers that arrive meanwhile
     */
    WriterTurns(int writers, Duration timeout, Duration starvation) {
        if (writers < 1) {
            throw new IllegalArgumentException("writers must be positive, was " + writers);
        }
        this.writers = writers;
        this.timeoutNanos = timeout.toNanos();
        this.starvationNanos = starvation.toNanos();
    }

    /** Runs {@code work} once it has its turn, and gives the turn on when it returns or throws. */
    public <R> R run(boolean interactiveWork, Supplier<R> work) {
        if (interactiveWork) {
            acquireInteractive();
        } else {
            acquireBackground();
        }
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

    private void acquireInteractive() {
        lock.lock();
        try {
            if (holders < writers && interactive.isEmpty() && !backgroundOwed()) {
                take(true);
                return;
            }
            Waiter me = new Waiter(lock.newCondition());
            interactive.add(me);
            if (!awaitTurn(me.turn, () -> !me.granted)) {
                interactive.remove(me);
                handOn();
                throw timedOut();
            }
        } finally {
            lock.unlock();
        }
    }

    private void acquireBackground() {
        lock.lock();
        try {
            if (holders < writers && !interactiveNext() && !backgroundHeadStarving()) {
                take(false);
                return;
            }
            Waiter me = new Waiter(lock.newCondition());
            background.add(me);
            boolean turn;
            try {
                turn = awaitTurn(me.turn, () -> !me.granted && !takeAsHead(me));
            } finally {
                if (!me.granted) {
                    background.remove(me);
                }
            }
            if (!turn) {
                handOn();
                throw timedOut();
            }
        } finally {
            lock.unlock();
        }
    }

    /** With the lock held: the first background waiter, woken, takes a free writer if no interactive one is next. */
    private boolean takeAsHead(Waiter me) {
        if (background.peekFirst() != me || holders >= writers || interactiveNext()) {
            return false;
        }
        grantFirst(background, false);
        return true;
    }

    /**
     * With the lock held: waits on {@code turn} while {@code mustWait} holds, for at most the timeout, and returns
     * whether the wait ended with a turn. An interrupt is kept for the caller: a turn lasts one transaction.
     */
    private boolean awaitTurn(Condition turn, BooleanSupplier mustWait) {
        long remaining = timeoutNanos;
        boolean interrupted = false;
        try {
            while (mustWait.getAsBoolean()) {
                if (remaining <= 0) {
                    return false;
                }
                try {
                    remaining = turn.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An interactive transaction waits and the previous turn was not interactive: the next turn is its. */
    private boolean interactiveNext() {
        return !interactive.isEmpty() && !lastTurnInteractive;
    }

    /** The first background waiter has waited long enough to be handed the writer, ahead of newcomers. */
    private boolean backgroundHeadStarving() {
        Waiter head = background.peekFirst();
        return head != null && System.nanoTime() - head.since >= starvationNanos;
    }

    private void release() {
        lock.lock();
        try {
            holders--;
            handOn();
        } finally {
            lock.unlock();
        }
    }

    /**
     * With the lock held and a writer free: hands it to the interactive transaction owed it, or to the first
     * background waiter once that one has waited too long, or else wakes that waiter to take it if it is still free.
     */
    private void handOn() {
        if (holders >= writers) {
            return;
        }
        if (interactiveOwed()) {
            grantFirst(interactive, true).turn.signal();
        } else if (backgroundHeadStarving()) {
            grantFirst(background, false).turn.signal();
        } else if (!background.isEmpty()) {
            background.peekFirst().turn.signal();
        }
    }

    /** An interactive transaction waits, and the previous turn was not interactive or no background one waits. */
    private boolean interactiveOwed() {
        return !interactive.isEmpty() && !backgroundOwed();
    }

    /**
     * The previous turn was interactive and a background transaction waits: the next turn is background's. (A
     * background transaction that arrives may take a free writer when no interactive one waits or the previous
     * turn was interactive.)
     */
    private boolean backgroundOwed() {
        return lastTurnInteractive && !background.isEmpty();
    }

    /** With the lock held and a writer free: the first waiter of {@code queue} gets it. Returns that waiter. */
    private Waiter grantFirst(ArrayDeque<Waiter> queue, boolean interactiveTurn) {
        Waiter first = queue.poll();
        take(interactiveTurn);
        first.granted = true;
        return first;
    }

    private void take(boolean interactiveTurn) {
        holders++;
        lastTurnInteractive = interactiveTurn;
    }

    private StoreException timedOut() {
        return new StoreException(
                "waited " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                        + " ms for the SQLite writer; a transaction holds it for too long",
                null,
                true);
    }

    private static final class Waiter {
        final Condition turn;
        final long since = System.nanoTime();
        boolean granted;

        Waiter(Condition turn) {
            this.turn = turn;
        }
    }
}
