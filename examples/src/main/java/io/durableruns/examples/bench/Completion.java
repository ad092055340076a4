package io.durableruns.examples.bench;

import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.out.EngineObserver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counts finished runs and remembers when the last one finished. */
final class Completion implements EngineObserver {
    private final CountDownLatch remaining;
    private final AtomicInteger unsuccessful = new AtomicInteger();
    private final AtomicLong lastFinishedNanos = new AtomicLong(Long.MIN_VALUE);

    Completion(int runs) {
        this.remaining = new CountDownLatch(runs);
    }

    @Override
    public void runFinished(String graph, RunStatus status) {
        if (status != RunStatus.SUCCEEDED) {
            unsuccessful.incrementAndGet();
        }
        long now = System.nanoTime();
        lastFinishedNanos.accumulateAndGet(now, Math::max);
        remaining.countDown();
    }

    /** Waits until every run finished; {@code false} on timeout. */
    boolean await(Duration timeout) throws InterruptedException {
        return remaining.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    long unfinished() {
        return remaining.getCount();
    }

    int unsuccessful() {
        return unsuccessful.get();
    }

    long lastFinishedNanos() {
        return lastFinishedNanos.get();
    }
}
