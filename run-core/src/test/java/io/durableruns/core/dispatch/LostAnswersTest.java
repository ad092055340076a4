package io.durableruns.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.contract.Calls;
import io.durableruns.core.contract.Intercepted;
import io.durableruns.core.contract.Runs;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.ports.StoreException;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.IntentRepository;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StepRepository;
import io.durableruns.ports.out.StoreTransaction;
import io.durableruns.ports.out.TimelineRepository;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The database goes away in the middle of a claim or a commit (a restart, a failover, a broken connection): the
 * transaction may have committed while its answer was lost. Nothing may then wait for a whole lease.
 */
class LostAnswersTest {
    private final Calls calls = new Calls();
    private final InMemoryRunStore memory = new InMemoryRunStore();
    private Dispatcher dispatcher;

    @AfterEach
    void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    private StepGraph chain() {
        return StepGraph.builder("chain", 1)
                .step("s1", ctx -> calls.record(ctx, 1))
                .step("s2", List.of("s1"), ctx -> calls.record(ctx, 2))
                .build();
    }

    private RunEngine engine(RunStore store, Dispatcher signal) {
        RunEngine.Builder builder = RunEngine.builder().store(store).registry(new GraphRegistry().register(chain()));
        if (signal != null) {
            builder.dispatchSignal(signal);
        }
        return builder.build();
    }

    /**
     * A store on which the first transaction that calls {@code method} of a repository commits, then reports a
     * broken connection.
     */
    private RunStore losingTheAnswerOnce(String repository, Class<?> type, String method) {
        AtomicBoolean lose = new AtomicBoolean(true);
        return new RunStore() {
            @Override
            public <R> R inTransaction(TransactionWork<R> work) {
                AtomicBoolean did = new AtomicBoolean();
                R result = Intercepted.store(memory, tx -> spying(tx, repository, type, method, did))
                        .inTransaction(work);
                if (did.get() && lose.compareAndSet(true, false)) {
                    throw new StoreException("the connection broke while committing", null, true);
                }
                return result;
            }

            @Override
            public <R> R read(TransactionWork<R> work) {
                return memory.read(work);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static <T> StoreTransaction spying(
            StoreTransaction tx, String repository, Class<T> type, String method, AtomicBoolean did) {
        return Intercepted.method(
                StoreTransaction.class,
                tx,
                repository,
                r -> Intercepted.method(type, (T) r.proceed(), method, call -> {
                    did.set(true);
                    return call.proceed();
                }));
    }

    @Test
    void a_claim_whose_answer_was_lost_is_given_back_at_the_next_take_not_after_its_lease() {
        RunStore store = losingTheAnswerOnce("intents", IntentRepository.class, "claimDue");
        dispatcher = Dispatcher.builder()
                .workers(1)
                .pollInterval(Duration.ofMillis(50))
                .sweepInterval(Duration.ofHours(1))
                .build();
        RunEngine engine = engine(store, dispatcher);
        String id = Runs.start(engine, "chain", Map.of());
        dispatcher.start(engine);

        Runs.awaitSucceeded(engine, List.of(id));
        assertThat(engine.timeline(id)).extracting(TimelineEvent::type).contains(EventType.STEP_RELEASED);
        assertThat(calls.of(id, "s1", 1)).isEqualTo(1);
        assertThat(calls.duplicates()).isEmpty();
    }

    @Test
    void a_commit_that_fails_for_a_moment_is_tried_again_and_the_attempt_counts_once() {
        AtomicInteger failures = new AtomicInteger(2);
        RunStore flaky = Intercepted.store(
                memory,
                tx -> Intercepted.method(
                        StoreTransaction.class,
                        tx,
                        "steps",
                        steps -> Intercepted.method(
                                StepRepository.class, (StepRepository) steps.proceed(), "update", update -> {
                                    if (failures.getAndDecrement() > 0) {
                                        throw new StoreException("the database is restarting", null, true);
                                    }
                                    return update.proceed();
                                })));
        RunEngine creator = engine(memory, null);
        String id = Runs.start(creator, "chain", Map.of());
        RunEngine engine = engine(flaky, null);
        List<StepLease> leases = creator.claimDue("worker", 1);
        failures.set(2);

        engine.work(leases.get(0), false);

        StepRecord s1 = creator.find(id).orElseThrow().step("s1").orElseThrow();
        assertThat(s1.status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(s1.attempt()).isEqualTo(1);
        assertThat(calls.of(id, "s1", 1)).isEqualTo(1);
    }

    @Test
    void a_commit_that_landed_though_its_answer_was_lost_is_not_applied_twice() {
        RunEngine creator = engine(memory, null);
        String id = Runs.start(creator, "chain", Map.of());
        RunEngine lossy = engine(losingTheAnswerOnce("timeline", TimelineRepository.class, "append"), null);
        List<StepLease> leases = creator.claimDue("worker", 1);

        lossy.work(leases.get(0), false);

        long succeeded = creator.timeline(id).stream()
                .filter(e -> e.type() == EventType.STEP_SUCCEEDED)
                .count();
        assertThat(succeeded).isEqualTo(1);
        assertThat(creator.find(id).orElseThrow().step("s2").orElseThrow().status())
                .isEqualTo(StepStatus.QUEUED);
        assertThat(creator.timeline(id).stream()
                        .filter(e -> e.type() == EventType.STEP_QUEUED && "s2".equals(e.step())))
                .hasSize(1);
    }
}
