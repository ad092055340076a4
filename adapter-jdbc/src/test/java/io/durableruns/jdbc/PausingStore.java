package io.durableruns.jdbc;

import io.durableruns.ports.model.StepCursor;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.out.ArtifactRepository;
import io.durableruns.ports.out.GraphVersionRepository;
import io.durableruns.ports.out.IntentRepository;
import io.durableruns.ports.out.RunRepository;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StepRepository;
import io.durableruns.ports.out.StoreTransaction;
import io.durableruns.ports.out.TimelineRepository;
import io.durableruns.ports.out.ToolCallRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A store that stops one transaction right after it read the steps of a run, until the test lets it go on: the
 * window in which another engine's transaction can interleave with it.
 */
final class PausingStore implements RunStore {
    private final RunStore delegate;
    private volatile Pause armed;

    PausingStore(RunStore delegate) {
        this.delegate = delegate;
    }

    /** Makes the next {@code steps().findByRun} of any transaction on this store wait for {@link Pause#release}. */
    Pause pauseAfterNextStepRead() {
        Pause pause = new Pause();
        armed = pause;
        return pause;
    }

    @Override
    public <R> R inTransaction(TransactionWork<R> work) {
        return delegate.inTransaction(tx -> work.apply(new Tx(tx)));
    }

    @Override
    public <R> R read(TransactionWork<R> work) {
        return delegate.read(work);
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

    private final class Tx implements StoreTransaction {
        private final StoreTransaction tx;

        Tx(StoreTransaction tx) {
            this.tx = tx;
        }

        @Override
        public RunRepository runs() {
            return tx.runs();
        }

        @Override
        public StepRepository steps() {
            return new Steps(tx.steps());
        }

        @Override
        public ArtifactRepository artifacts() {
            return tx.artifacts();
        }

        @Override
        public ToolCallRepository toolCalls() {
            return tx.toolCalls();
        }

        @Override
        public TimelineRepository timeline() {
            return tx.timeline();
        }

        @Override
        public IntentRepository intents() {
            return tx.intents();
        }

        @Override
        public GraphVersionRepository graphVersions() {
            return tx.graphVersions();
        }
    }

    private final class Steps implements StepRepository {
        private final StepRepository steps;

        Steps(StepRepository steps) {
            this.steps = steps;
        }

        @Override
        public List<StepRecord> findByRun(String runId) {
            List<StepRecord> found = steps.findByRun(runId);
            Pause pause = armed;
            if (pause != null) {
                armed = null;
                pause.stop();
            }
            return found;
        }

        @Override
        public void insertAll(List<StepRecord> records) {
            steps.insertAll(records);
        }

        @Override
        public Optional<StepRecord> find(String runId, String name) {
            return steps.find(runId, name);
        }

        @Override
        public boolean update(StepRecord next, StepStatus expectedStatus, int expectedAttempt) {
            return steps.update(next, expectedStatus, expectedAttempt);
        }

        @Override
        public StepRecord decrementPendingDeps(String runId, String name) {
            return steps.decrementPendingDeps(runId, name);
        }

        @Override
        public List<StepRecord> findExpiredLeases(Instant now, StepCursor after, int limit) {
            return steps.findExpiredLeases(now, after, limit);
        }

        @Override
        public List<StepRecord> findStranded(Instant dueBefore, StepCursor after, int limit) {
            return steps.findStranded(dueBefore, after, limit);
        }
    }
}
