package io.durableruns.qstash.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks at their due time on a fixed number of worker threads. Due tasks wait for a free worker, so
 * the work queue never grows beyond the number of workers; with {@code shuffle}, tasks that are due together
 * run in random order.
 */
final class DeliveryScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryScheduler.class);

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Semaphore permits;
    private final ExecutorService workers;
    private final Thread thread;
    private final Random random;
    private final boolean shuffle;
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean running = true;

    DeliveryScheduler(int threads, boolean shuffle, Random random) {
        this.permits = new Semaphore(threads);
        this.shuffle = shuffle;
        this.random = random;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "qstash-emulator-delivery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::loop, "qstash-emulator-scheduler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Runs {@code task} once {@link System#nanoTime()} reaches {@code dueNanos}. */
    void schedule(long dueNanos, Runnable task) {
        lock.lock();
        try {
            queue.add(new Task(dueNanos, sequence.incrementAndGet(), task));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            List<Task> due;
            try {
                due = takeDue();
            } catch (InterruptedException e) {
                return;
            }
            if (shuffle && due.size() > 1) {
                synchronized (random) {
                    Collections.shuffle(due, random);
                }
            }
            for (int i = 0; i < due.size(); i++) {
                try {
                    permits.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                Task task = due.get(i);
                try {
                    workers.execute(() -> run(task));
                } catch (RuntimeException e) {
                    permits.release();
                    return;
                }
            }
        }
    }

    private List<Task> takeDue() throws InterruptedException {
        lock.lock();
        try {
            while (running) {
                Task head = queue.peek();
                long now = System.nanoTime();
                if (head == null) {
                    changed.await();
                } else if (head.dueNanos - now > 0) {
                    changed.awaitNanos(head.dueNanos - now);
                } else {
                    List<Task> due = new ArrayList<>();
                    int limit = Math.max(1, permits.availablePermits());
                    while (!queue.isEmpty() && queue.peek().dueNanos - now <= 0 && (shuffle || due.size() < limit)) {
                        due.add(queue.poll());
                    }
                    return due;
                }
            }
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    private void run(Task task) {
        try {
            task.work.run();
        } catch (RuntimeException e) {
            LOG.error("An emulator delivery task failed, which indicates a bug", e);
        } finally {
            permits.release();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        workers.shutdownNow();
        try {
            thread.join(5_000);
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Task(long dueNanos, long seq, Runnable work) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int c = Long.compare(dueNanos - o.dueNanos, 0);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
