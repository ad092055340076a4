package io.durableruns.core.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs one piece of work on several threads released together, for races that need real overlap. */
public final class AtOnce {
    private AtOnce() {}

    /**
     * Calls {@code work} on {@code parties} threads that start it together (behind one barrier) and returns the
     * results in the order the threads were started, waiting at most {@code timeout} for each. A failure of any
     * call is thrown as the {@code ExecutionException} of its future.
     */
    public static <T> List<T> call(int parties, Duration timeout, Callable<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parties);
        try {
            CyclicBarrier barrier = new CyclicBarrier(parties);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < parties; i++) {
                futures.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return work.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
