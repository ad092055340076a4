package io.durableruns.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durableruns.core.contract.Calls;
import io.durableruns.core.contract.Runs;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.ports.in.DispatchUseCases;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.out.DispatchTransport;
import io.durableruns.ports.out.EngineObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatch runtime's own behaviour, over the in-memory store: its workers survive whatever a step throws, and a
 * worker that dies anyway is replaced. What every transport must do is the dispatcher contract of the examples.
 */
class DispatcherTest {
    private static final Duration NEVER = Duration.ofHours(1);

    private final Calls calls = new Calls();
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    @AfterEach
    void close() {
        dispatchers.forEach(Dispatcher::close);
    }

    private record Setup(RunEngine engine, Dispatcher dispatcher) {}

    private Setup setUp(Dispatcher.Builder builder, StepGraph... graphs) {
        Dispatcher dispatcher = builder.pollInterval(NEVER).sweepInterval(NEVER).build();
        dispatchers.add(dispatcher);
        GraphRegistry registry = new GraphRegistry();
        for (StepGraph graph : graphs) {
            registry.register(graph);
        }
        RunEngine engine = RunEngine.builder()
                .store(new InMemoryRunStore())
                .registry(registry)
                .dispatchSignal(dispatcher)
                .build();
        return new Setup(engine, dispatcher);
    }

    private RunEngine start(Dispatcher.Builder builder, StepGraph... graphs) {
        Setup setup = setUp(builder, graphs);
        setup.dispatcher().start(setup.engine());
        return setup.engine();
    }

    private StepGraph chain(String name) {
        return StepGraph.builder(name, 1)
                .step("s1", ctx -> calls.record(ctx, 1))
                .step("s2", List.of("s1"), ctx -> calls.record(ctx, 2))
                .build();
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
        RunEngine engine = start(Dispatcher.builder().workers(1), erring, chain("after-errors"));
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
        RunEngine engine = start(Dispatcher.builder().workers(1), rude);
        List<String> ids = Runs.start(engine, "rude", 3);
        Runs.awaitSucceeded(engine, ids);
    }

    @Test
    void a_worker_that_dies_is_replaced_logged_and_counted() {
        List<String> replaced = new CopyOnWriteArrayList<>();
        EngineObserver observer = new EngineObserver() {
            @Override
            public void workerReplaced(String worker, Throwable cause) {
                replaced.add(worker + ": " + cause.getMessage());
            }
        };
        AtomicBoolean died = new AtomicBoolean();
        DispatchTransport local = new LocalTransport();
        DispatchTransport dyingOnce = new DispatchTransport() {
            @Override
            public void bind(String owner, DispatchUseCases engine, Wakeup wakeup) {
                local.bind(owner, engine, wakeup);
            }

            @Override
            public List<Task> take(int max) {
                return local.take(max).stream().map(this::dyingOnce).toList();
            }

            private Task dyingOnce(Task task) {
                return new Task() {
                    @Override
                    public Optional<Task> run() {
                        if (died.compareAndSet(false, true)) {
                            throw new OutOfMemoryError("simulated: the engine ran out of memory outside any handler");
                        }
                        return task.run();
                    }

                    @Override
                    public void giveBack() {
                        task.giveBack();
                    }
                };
            }

            @Override
            public Optional<Instant> nextDueAt() {
                return local.nextDueAt();
            }

            @Override
            public String describe() {
                return "a transport whose first task kills its worker";
            }
        };
        Setup setup = setUp(Dispatcher.builder().workers(1).observer(observer).transport(dyingOnce), chain("chain"));
        RunEngine engine = setup.engine();
        setup.dispatcher().start(engine);
        String lost = Runs.start(engine, "chain", Map.of());
        List<String> later = Runs.start(engine, "chain", 3);
        Runs.awaitSucceeded(engine, later);

        assertThat(replaced).singleElement().asString().contains("simulated: the engine ran out of memory");
        assertThat(setup.dispatcher().workersReplaced()).isEqualTo(1);
        assertThat(engine.find(lost).orElseThrow().step("s1").orElseThrow().status())
                .as("the step whose worker died waits for its lease to expire")
                .isEqualTo(StepStatus.RUNNING);
    }

    @Test
    void a_dispatcher_starts_only_once_and_refuses_bad_settings_naming_them() {
        Setup setup = setUp(Dispatcher.builder(), chain("once"));
        setup.dispatcher().start(setup.engine());
        assertThatThrownBy(() -> setup.dispatcher().start(setup.engine()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("starts once");
        assertThatThrownBy(() -> Dispatcher.builder().workers(0).build()).hasMessageContaining("workers");
        assertThatThrownBy(
                        () -> Dispatcher.builder().pollInterval(Duration.ZERO).build())
                .hasMessageContaining("pollInterval");
        assertThatThrownBy(() -> Dispatcher.builder().prefetch(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefetch must be zero or positive, was -1");
        DispatchTransport pushed = new DispatchTransport() {
            @Override
            public void bind(String owner, DispatchUseCases engine, Wakeup wakeup) {}

            @Override
            public List<Task> take(int max) {
                return List.of();
            }

            @Override
            public Optional<Instant> nextDueAt() {
                return Optional.empty();
            }

            @Override
            public String describe() {
                return "a push queue";
            }
        };
        assertThatThrownBy(
                        () -> Dispatcher.builder().transport(pushed).prefetch(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefetch applies to the local transport only; a push queue was set");
    }

    /** root, then ten branches that each depend on it, then a join of the ten. */
    private StepGraph fanOut(String name, CountDownLatch firstBranchEntered, CountDownLatch firstBranchMayEnd) {
        StepGraph.Builder b = StepGraph.builder(name, 1).step("root", ctx -> calls.record(ctx, 0));
        List<String> branches = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            String branch = "b" + i;
            branches.add(branch);
            b.step(branch, List.of("root"), ctx -> {
                if (firstBranchEntered.getCount() > 0) {
                    firstBranchEntered.countDown();
                    if (!firstBranchMayEnd.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("the test never let the first branch end");
                    }
                }
                return calls.record(ctx, branch);
            });
        }
        return b.step("join", branches, ctx -> calls.record(ctx, "joined")).build();
    }

    private static long events(RunEngine engine, String runId, EventType type) {
        return engine.timeline(runId).stream()
                .filter(e -> e.type() == type && e.step() != null && e.step().startsWith("b"))
                .count();
    }

    @Test
    void with_a_prefetch_the_roots_commit_claims_that_many_more_branches_and_queues_only_the_rest() {
        CountDownLatch open = new CountDownLatch(0);
        RunEngine engine = start(Dispatcher.builder().workers(1).prefetch(3), fanOut("prefetched", open, open));
        String id = Runs.start(engine, "prefetched", Map.of());
        Runs.awaitSucceeded(engine, List.of(id));

        // One branch for the root's worker, three more claimed in the same commit: six go through the queue.
        assertThat(events(engine, id, EventType.STEP_QUEUED)).isEqualTo(6);
        assertThat(events(engine, id, EventType.STEP_STARTED)).isEqualTo(10);
        assertThat(events(engine, id, EventType.STEP_SUCCEEDED)).isEqualTo(10);
        for (int i = 1; i <= 10; i++) {
            assertThat(calls.ofStep(id, "b" + i)).as("runs of b" + i).isEqualTo(1);
        }
    }

    @Test
    void without_a_prefetch_every_branch_but_the_workers_own_is_queued() {
        CountDownLatch open = new CountDownLatch(0);
        RunEngine engine = start(Dispatcher.builder().workers(1), fanOut("queued", open, open));
        String id = Runs.start(engine, "queued", Map.of());
        Runs.awaitSucceeded(engine, List.of(id));
        assertThat(events(engine, id, EventType.STEP_QUEUED)).isEqualTo(9);
    }

    @Test
    void at_close_the_branches_claimed_for_workers_that_never_started_them_are_given_back() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch mayEnd = new CountDownLatch(1);
        Setup setup = setUp(
                Dispatcher.builder().workers(1).prefetch(3).shutdownGrace(Duration.ofSeconds(30)),
                fanOut("given-back", entered, mayEnd));
        setup.dispatcher().start(setup.engine());
        RunEngine engine = setup.engine();
        String id = Runs.start(engine, "given-back", Map.of());
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        RunDetails during = engine.find(id).orElseThrow();
        assertThat(during.steps().stream().filter(st -> st.status() == StepStatus.RUNNING))
                .as("the branch running and the three claimed with it")
                .hasSize(4);

        Thread closing = new Thread(setup.dispatcher()::close, "closing");
        closing.start();
        // The three waiting in memory are given back while the running branch holds the only worker.
        Runs.await(
                "three branches given back",
                () -> engine.timeline(id).stream()
                                .filter(e -> e.type() == EventType.STEP_RELEASED)
                                .count()
                        == 3);
        mayEnd.countDown();
        closing.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(closing.isAlive()).isFalse();

        RunDetails after = engine.find(id).orElseThrow();
        List<StepRecord> branches =
                after.steps().stream().filter(st -> st.name().startsWith("b")).toList();
        assertThat(branches).filteredOn(st -> st.status() == StepStatus.RUNNING).isEmpty();
        assertThat(branches)
                .filteredOn(st -> st.status() == StepStatus.SUCCEEDED)
                .hasSize(1);
        assertThat(branches).filteredOn(st -> st.status() == StepStatus.QUEUED).hasSize(9);
        assertThat(branches)
                .filteredOn(st -> st.status() == StepStatus.QUEUED)
                .allSatisfy(st -> assertThat(st.leaseOwner()).isNull());
    }
}
