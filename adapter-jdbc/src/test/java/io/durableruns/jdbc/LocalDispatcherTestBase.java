package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.ports.in.StepWorkerUseCase;
import io.durableruns.ports.in.WorkResult;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.EngineObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local dispatcher over a real store. The safety-net poll is set to an hour in these tests, so every run that
 * finishes was driven by the in-process signal, the retry timer or the sweeper, never by polling.
 */
abstract class LocalDispatcherTestBase {
    private static final Duration NEVER = Duration.ofHours(1);

    protected JdbcRunStore store;
    private final List<LocalDispatcher> dispatchers = new ArrayList<>();
    private final Calls calls = new Calls();

    /** A new, empty store for one test. */
    protected abstract JdbcRunStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeDispatchers() {
        dispatchers.forEach(LocalDispatcher::close);
    }

    private record Setup(RunEngine engine, LocalDispatcher dispatcher) {}

    private Setup setUp(
            UnaryOperator<LocalDispatcher.Builder> options,
            UnaryOperator<RunEngine.Builder> engineOptions,
            StepGraph... graphs) {
        LocalDispatcher dispatcher = options.apply(LocalDispatcher.builder()
                        .pollInterval(NEVER)
                        .sweepInterval(NEVER)
                        .listenTo(store))
                .build();
        dispatchers.add(dispatcher);
        GraphRegistry registry = new GraphRegistry();
        for (StepGraph graph : graphs) {
            registry.register(graph);
        }
        RunEngine engine = engineOptions
                .apply(RunEngine.builder().store(store).registry(registry).dispatchSignal(dispatcher))
                .build();
        return new Setup(engine, dispatcher);
    }

    private RunEngine start(UnaryOperator<LocalDispatcher.Builder> options, StepGraph... graphs) {
        Setup setup = setUp(options, e -> e, graphs);
        setup.dispatcher().start(setup.engine(), setup.engine());
        return setup.engine();
    }

    private StepGraph chain(String name, int length) {
        StepGraph.Builder builder = StepGraph.builder(name, 1).step("s1", ctx -> calls.record(ctx, 1));
        for (int i = 2; i <= length; i++) {
            int n = i;
            builder.step(
                    "s" + i,
                    List.of("s" + (i - 1)),
                    ctx -> calls.record(ctx, ctx.output("s" + (n - 1)).asInt() + 1));
        }
        return builder.build();
    }

    private StepGraph diamond(String name) {
        return StepGraph.builder(name, 1)
                .step("a", ctx -> calls.record(ctx, 1))
                .step(
                        "b",
                        List.of("a"),
                        ctx -> calls.record(ctx, ctx.output("a").asInt() + 1))
                .step(
                        "c",
                        List.of("a"),
                        ctx -> calls.record(ctx, ctx.output("a").asInt() + 2))
                .step("d", List.of("b", "c"), ctx -> {
                    ctx.artifacts()
                            .putText(
                                    "sum.txt",
                                    "text/plain",
                                    String.valueOf(ctx.output("b").asInt()
                                            + ctx.output("c").asInt()));
                    return calls.record(ctx, "done");
                })
                .build();
    }

    @Test
    void a_chain_of_five_steps_runs_to_the_end_on_signals_alone() {
        RunEngine engine = start(b -> b.workers(4), chain("chain", 5));
        List<String> ids = Runs.start(engine, "chain", 20);
        Runs.awaitSucceeded(engine, ids);
        for (String id : ids) {
            assertThat(engine.find(id).orElseThrow().run().output().get("s5").asInt())
                    .isEqualTo(5);
            for (int i = 1; i <= 5; i++) {
                assertThat(calls.of(id, "s" + i, 1)).as(id + " s" + i).isEqualTo(1);
            }
        }
        assertThat(calls.duplicates()).isEmpty();
    }

    @Test
    void a_fan_out_and_fan_in_graph_runs_its_join_once_per_run() {
        RunEngine engine = start(b -> b.workers(4), diamond("diamond"));
        List<String> ids = Runs.start(engine, "diamond", 30);
        Runs.awaitSucceeded(engine, ids);
        for (String id : ids) {
            assertThat(calls.ofStep(id, "d")).isEqualTo(1);
            assertThat(engine.artifacts(id)).singleElement().satisfies(a -> assertThat(a.key())
                    .isEqualTo("sum.txt"));
        }
        assertThat(calls.duplicates()).isEmpty();
        assertThat(intentCount()).isZero();
    }

    @Test
    void a_retry_runs_when_its_backoff_elapses() {
        StepGraph flaky = StepGraph.builder("flaky", 1)
                .step(StepDefinition.named("fetch")
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(200))
                                .jitter(0)
                                .build())
                        .handler(ctx -> {
                            calls.record(ctx, null);
                            if (ctx.attempt() == 1) {
                                throw new IOException("upstream 503");
                            }
                            return "ok";
                        }))
                .step("after", List.of("fetch"), ctx -> calls.record(ctx, "done"))
                .build();
        RunEngine engine = start(b -> b.workers(2), flaky);
        String id = Runs.start(engine, "flaky", Map.of());
        Runs.awaitSucceeded(engine, List.of(id));
        assertThat(calls.of(id, "fetch", 1)).isEqualTo(1);
        assertThat(calls.of(id, "fetch", 2)).isEqualTo(1);
        assertThat(engine.timeline(id))
                .extracting(TimelineEvent::type)
                .containsSubsequence(
                        EventType.STEP_FAILED,
                        EventType.STEP_RETRY_SCHEDULED,
                        EventType.STEP_STARTED,
                        EventType.STEP_SUCCEEDED);
    }

    @Test
    void the_sweeper_recovers_a_step_whose_executor_died() {
        StepGraph fragile = StepGraph.builder("fragile", 1)
                .step(StepDefinition.named("only")
                        .timeout(Duration.ofMillis(300))
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(10))
                                .jitter(0)
                                .build())
                        .handler(ctx -> calls.record(ctx, "ok")))
                .build();
        Setup setup = setUp(
                b -> b.workers(1).sweepInterval(Duration.ofMillis(100)), e -> e.leaseMargin(Duration.ZERO), fragile);
        RunEngine engine = setup.engine();
        String id = Runs.start(engine, "fragile", Map.of());
        List<StepLease> abandoned = engine.claimDue("a-process-that-died", 1);
        assertThat(abandoned).singleElement().satisfies(l -> assertThat(l.step())
                .isEqualTo("only"));

        setup.dispatcher().start(engine, engine);
        Runs.awaitSucceeded(engine, List.of(id));

        assertThat(calls.of(id, "only", 1)).isZero();
        assertThat(calls.ofStep(id, "only")).isEqualTo(1);
        assertThat(engine.timeline(id)).extracting(TimelineEvent::type).contains(EventType.STEP_LEASE_EXPIRED);
    }

    @Test
    void closing_lets_a_running_step_finish_and_gives_back_the_successor_it_was_handed() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        StepGraph slow = StepGraph.builder("slow", 1)
                .step("first", ctx -> {
                    entered.countDown();
                    proceed.await(60, TimeUnit.SECONDS);
                    return calls.record(ctx, "first");
                })
                .step("second", List.of("first"), ctx -> calls.record(ctx, "second"))
                .build();
        Setup setup = setUp(b -> b.workers(1).shutdownGrace(Duration.ofSeconds(60)), e -> e, slow);
        RunEngine engine = setup.engine();
        setup.dispatcher().start(engine, engine);
        String id = Runs.start(engine, "slow", Map.of());
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(setup.dispatcher()::close, "closer");
        closer.start();
        awaitWaiting(closer);
        proceed.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(closer.isAlive()).isFalse();

        RunDetails run = engine.find(id).orElseThrow();
        assertThat(run.step("first").orElseThrow().status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(run.step("second").orElseThrow().status()).isEqualTo(StepStatus.QUEUED);
        assertThat(calls.ofStep(id, "second")).isZero();
        assertThat(engine.timeline(id)).extracting(TimelineEvent::type).contains(EventType.STEP_RELEASED);
        assertThat(intentCount()).isEqualTo(1);
    }

    @Test
    void closing_interrupts_a_step_that_outlives_the_grace_period() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        StepGraph stuck = StepGraph.builder("stuck", 1)
                .step(StepDefinition.named("forever")
                        .timeout(Duration.ofMinutes(10))
                        .handler(ctx -> {
                            entered.countDown();
                            try {
                                Thread.sleep(TimeUnit.MINUTES.toMillis(10));
                            } catch (InterruptedException e) {
                                interrupted.set(true);
                                throw e;
                            }
                            return "never";
                        }))
                .build();
        Setup setup = setUp(b -> b.workers(1).shutdownGrace(Duration.ofMillis(200)), e -> e, stuck);
        setup.dispatcher().start(setup.engine(), setup.engine());
        Runs.start(setup.engine(), "stuck", Map.of());
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

        CompletableFuture.runAsync(setup.dispatcher()::close).get(60, TimeUnit.SECONDS);

        assertThat(interrupted).isTrue();
    }

    @Test
    void a_handler_that_throws_an_error_fails_its_attempt_and_its_worker_goes_on() {
        StepGraph erring = StepGraph.builder("erring", 1)
                .step(StepDefinition.named("check")
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(10))
                                .jitter(0)
                                .build())
                        .handler(ctx -> {
                            calls.record(ctx, null);
                            if (ctx.attempt() == 1) {
                                throw new AssertionError("invariant broken");
                            }
                            if (ctx.attempt() == 2) {
                                throw new StackOverflowError("recursion too deep");
                            }
                            return "ok";
                        }))
                .build();
        RunEngine engine = start(b -> b.workers(1), erring, chain("after-errors", 2));
        String id = Runs.start(engine, "erring", Map.of());
        Runs.awaitSucceeded(engine, List.of(id));
        assertThat(engine.timeline(id).stream()
                        .filter(e -> e.type() == EventType.STEP_FAILED)
                        .map(e -> e.data().path("errorType").asText() + ": "
                                + e.data().path("message").asText()))
                .containsExactly(
                        "java.lang.AssertionError: invariant broken",
                        "java.lang.StackOverflowError: recursion too deep");

        List<String> next = Runs.start(engine, "after-errors", 3);
        Runs.awaitSucceeded(engine, next);
    }

    @Test
    void an_interrupt_left_behind_by_a_handler_ends_neither_the_commit_nor_the_worker() {
        StepGraph rude = StepGraph.builder("rude", 1)
                .step("self-interrupting", ctx -> {
                    Thread.currentThread().interrupt();
                    return calls.record(ctx, "ok");
                })
                .step("after", List.of("self-interrupting"), ctx -> calls.record(ctx, "done"))
                .build();
        RunEngine engine = start(b -> b.workers(1), rude);
        List<String> ids = Runs.start(engine, "rude", 3);
        Runs.awaitSucceeded(engine, ids);
    }

    @Test
    void a_worker_that_dies_is_replaced_logged_and_counted() {
        List<String> replaced = new java.util.concurrent.CopyOnWriteArrayList<>();
        EngineObserver observer = new EngineObserver() {
            @Override
            public void workerReplaced(String worker, Throwable cause) {
                replaced.add(worker + ": " + cause.getMessage());
            }
        };
        Setup setup = setUp(b -> b.workers(1).observer(observer), e -> e, chain("after-death", 2));
        RunEngine engine = setup.engine();
        AtomicBoolean died = new AtomicBoolean();
        StepWorkerUseCase dyingOnce = new StepWorkerUseCase() {
            @Override
            public List<StepLease> claimDue(String owner, int max) {
                return engine.claimDue(owner, max);
            }

            @Override
            public WorkResult work(StepLease lease, boolean claimSuccessor) {
                if (died.compareAndSet(false, true)) {
                    throw new OutOfMemoryError("simulated: the engine ran out of memory outside any handler");
                }
                return engine.work(lease, claimSuccessor);
            }

            @Override
            public void release(StepLease lease) {
                engine.release(lease);
            }

            @Override
            public Optional<java.time.Instant> nextDueAt() {
                return engine.nextDueAt();
            }
        };
        setup.dispatcher().start(dyingOnce, engine);
        String lost = Runs.start(engine, "after-death", Map.of());
        List<String> later = Runs.start(engine, "after-death", 3);
        Runs.awaitSucceeded(engine, later);

        assertThat(replaced).singleElement().asString().contains("simulated: the engine ran out of memory");
        assertThat(setup.dispatcher().workersReplaced()).isEqualTo(1);
        assertThat(engine.find(lost).orElseThrow().step("s1").orElseThrow().status())
                .as("the step whose worker died waits for its lease to expire")
                .isEqualTo(StepStatus.RUNNING);
    }

    @Test
    void a_dispatcher_starts_only_once() {
        Setup setup = setUp(b -> b, e -> e, chain("once", 1));
        setup.dispatcher().start(setup.engine(), setup.engine());
        assertThatThrownBy(() -> setup.dispatcher().start(setup.engine(), setup.engine()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("starts once");
    }

    private long intentCount() {
        return store.inTransaction(tx -> tx.intents().count());
    }

    /** Waits until {@code thread} blocks (the dispatcher is then past the point where it stopped claiming). */
    private static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + Runs.PATIENCE.toNanos();
        while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime()).as("the closing thread never blocked").isLessThan(deadline);
            Runs.sleep(5);
        }
    }
}
