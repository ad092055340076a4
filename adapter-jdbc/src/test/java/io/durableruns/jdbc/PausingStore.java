package io.durableruns.jdbc;

import io.durableruns.core.contract.Intercepted;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StepRepository;
import io.durableruns.ports.out.StoreTransaction;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A store that stops one transaction right after it read the steps of a run, until the test lets it go on: the
 * window in which another engine's transaction can interleave with it.
 */
final class PausingStore {
    private volatile Pause armed;
    private final RunStore store;

    PausingStore(RunStore delegate) {
        this.store = Intercepted.store(
                delegate,
                tx -> Intercepted.method(
                        StoreTransaction.class,
                        tx,
                        "steps",
                        steps -> Intercepted.method(
                                StepRepository.class, (StepRepository) steps.proceed(), "findByRun", read -> {
                                    Object found = read.proceed();
                                    Pause pause = armed;
                                    if (pause != null) {
                                        armed = null;
                                        pause.stop();
                                    }
                                    return found;
                                })));
    }

    /** The store to give the engine. */
    RunStore store() {
        return store;
    }

    /** Makes the next {@code steps().findByRun} of any transaction on this store wait for {@link Pause#release}. */
    Pause pauseAfterNextStepRead() {
        Pause pause = new Pause();
        armed = pause;
        return pause;
    }

    /** One stop of one transaction. */
    static final class Pause {
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void awaitReached() throws InterruptedException {
            if (!reached.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the transaction never reached the pause");
            }
        }

        void release() {
            released.countDown();
        }

        private void stop() {
            reached.countDown();
            try {
                if (!released.await(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("the paused transaction was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while paused", e);
            }
        }
    }
}
