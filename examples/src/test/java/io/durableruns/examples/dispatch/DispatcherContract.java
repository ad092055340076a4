package io.durableruns.examples.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.contract.Calls;
import io.durableruns.core.contract.Runs;
import io.durableruns.core.engine.ExecutionHooks;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.testkit.SimulatedCrash;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.DispatchSignal;
import io.durableruns.ports.out.RunStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every transport of the dispatch runtime must do, run unchanged against the local transport and the QStash
 * transport (through the emulator, which delivers every message twice and in random order): chains and fan-outs,
 * retries at their backoff, recovery after a crash before commit, cancel, duplicate and reordered deliveries, and a
 * graceful shutdown after which a restarted dispatcher finishes every run. The safety-net poll is an hour unless a
 * test says otherwise, so what finishes was driven by signals, timers and the sweeper.
 */
abstract class DispatcherContract {
    static final Duration NEVER = Duration.ofHours(1);

    protected final Calls calls = new Calls();
    private Harness harness;

    /** How a test wants its dispatcher and engine. */
    record Options(int workers, Duration sweepInterval, Duration leaseMargin, ExecutionHooks hooks) {
        static Options defaults() {
            return new Options(4, NEVER, Duration.ofSeconds(30), ExecutionHooks.NONE);
        }

        Options workers(int n) {
            return new Options(n, sweepInterval, leaseMargin, hooks);
        }

        Options sweepEvery(Duration interval, Duration margin) {
            return new Options(workers, interval, margin, hooks);
        }

        Options hooks(ExecutionHooks value) {
            return new Options(workers, sweepInterval, leaseMargin, value);
        }

        /** The engine of a harness: over {@code store}, with these options, signalling {@code dispatcher}. */
        RunEngine engine(RunStore store, GraphRegistry registry, DispatchSignal dispatcher) {
            return RunEngine.builder()
                    .store(store)
                    .registry(registry)
                    .leaseMargin(leaseMargin)
                    .hooks(hooks)
                    .dispatchSignal(dispatcher)
                    .build();
        }
    }

    /** A store, an engine and a started dispatcher of the transport under test (and what the transport needs). */
    interface Harness extends AutoCloseable {
        RunEngine engine();

        /**
         * Stops the dispatcher (and the rest, but the store) gracefully, then starts everything again on the same
         * store, as a deployment restarts a process; returns the new harness.
         */
        Harness restart() throws Exception;

        @Override
        void close();
    }

    /** Opens a fresh store and starts a dispatcher of the transport under test on it, with these graphs. */
    protected abstract Harness open(Options options, GraphRegistry registry) throws Exception;

    /** Called after each test's harness closed: the place to drop what {@link #open} created around the store. */
    protected void afterClose() throws Exception {}

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
        afterClose();
    }

    private RunEngine start(Options options, StepGraph... graphs) throws Exception {
        GraphRegistry registry = new GraphRegistry();
        for (StepGraph graph : graphs) {
            registry.register(graph);
        }
        harness = open(options, registry);
        return harness.engine();
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
    void a_chain_of_five_steps_runs_to_the_end_on_signals_alone() throws Exception {
        RunEngine engine = start(Options.defaults(), chain("chain", 5));
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
    void a_fan_out_and_fan_in_graph_runs_its_join_once_per_run() throws Exception {
        RunEngine engine = start(Options.defaults(), diamond("diamond"));
        List<String> ids = Runs.start(engine, "diamond", 30);
        Runs.awaitSucceeded(engine, ids);
        for (String id : ids) {
            assertThat(calls.ofStep(id, "d")).isEqualTo(1);
            assertThat(engine.artifacts(id)).singleElement().satisfies(a -> assertThat(a.key())
                    .isEqualTo("sum.txt"));
        }
        assertThat(calls.duplicates()).isEmpty();
    }

    @Test
    void a_retry_runs_when_its_backoff_elapses_and_not_before() throws Exception {
        Duration backoff = Duration.ofMillis(1500);
        StepGraph flaky = StepGraph.builder("flaky", 1)
                .step(StepDefinition.named("fetch")
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(3)
                                .initialBackoff(backoff)
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
        RunEngine engine = start(Options.defaults(), flaky);
        String id = Runs.start(engine, "flaky", Map.of());
        Runs.awaitSucceeded(engine, List.of(id));
        assertThat(calls.of(id, "fetch", 1)).isEqualTo(1);
        assertThat(calls.of(id, "fetch", 2)).isEqualTo(1);
        List<TimelineEvent> timeline = engine.timeline(id);
        Instant failed = at(timeline, EventType.STEP_FAILED, "fetch", 1);
        Instant retried = at(timeline, EventType.STEP_STARTED, "fetch", 2);
        assertThat(Duration.between(failed, retried))
                .as("the wait between the failed attempt and the next")
                .isGreaterThanOrEqualTo(backoff)
                .isLessThan(backoff.plusSeconds(2));
    }

    private static Instant at(List<TimelineEvent> timeline, EventType type, String step, int attempt) {
        return timeline.stream()
                .filter(e -> e.type() == type
                        && step.equals(e.step())
                        && Integer.valueOf(attempt).equals(e.attempt()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " of " + step + " attempt " + attempt))
                .at();
    }

    @Test
    void a_crash_before_commit_is_recovered_after_the_lease_expires_and_commits_once() throws Exception {
        StepGraph fragile = StepGraph.builder("fragile", 1)
                .step(StepDefinition.named("only")
                        .timeout(Duration.ofMillis(500))
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(10))
                                .jitter(0)
                                .build())
                        .handler(ctx -> calls.record(ctx, "ok")))
                .build();
        ExecutionHooks crashFirstAttempt = new ExecutionHooks() {
            @Override
            public void beforeCommit(StepLease lease) {
                if (lease.attempt() == 1) {
                    throw new SimulatedCrash("the process died before attempt 1 committed");
                }
            }
        };
        RunEngine engine = start(
                Options.defaults()
                        .workers(1)
                        .sweepEvery(Duration.ofMillis(100), Duration.ZERO)
                        .hooks(crashFirstAttempt),
                fragile);
        String id = Runs.start(engine, "fragile", Map.of());
        Runs.awaitSucceeded(engine, List.of(id));

        assertThat(calls.of(id, "only", 1)).isEqualTo(1);
        assertThat(calls.of(id, "only", 2)).isEqualTo(1);
        assertThat(engine.find(id).orElseThrow().step("only").orElseThrow().attempt())
                .isEqualTo(2);
        assertThat(engine.timeline(id)).extracting(TimelineEvent::type).contains(EventType.STEP_LEASE_EXPIRED);
    }

    @Test
    void a_cancelled_run_stops_and_the_result_of_its_running_step_is_discarded() throws Exception {
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
        RunEngine engine = start(Options.defaults(), slow);
        String id = Runs.start(engine, "slow", Map.of());
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();

        RunDetails cancelled = engine.cancel(id);
        assertThat(cancelled.run().status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(cancelled.steps()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StepStatus.CANCELLED));
        proceed.countDown();
        awaitEvent(engine, id, EventType.STEP_RESULT_DISCARDED);

        assertThat(calls.ofStep(id, "second")).isZero();
        assertThat(engine.find(id).orElseThrow().run().status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    void duplicate_and_reordered_deliveries_leave_one_effect_per_attempt() throws Exception {
        RunEngine engine = start(Options.defaults(), diamond("diamond"));
        List<String> ids = Runs.start(engine, "diamond", 20);
        AtomicBoolean done = new AtomicBoolean();
        Thread chaos = new Thread(() -> {
            Random random = new Random(7);
            List<String> steps = List.of("d", "c", "b", "a");
            while (!done.get()) {
                String id = ids.get(random.nextInt(ids.size()));
                String step = steps.get(random.nextInt(steps.size()));
                Integer attempt = random.nextBoolean() ? null : 1 + random.nextInt(2);
                engine.deliver(new StepMessage(id, step, attempt));
            }
        });
        chaos.start();
        try {
            Runs.awaitSucceeded(engine, ids);
        } finally {
            done.set(true);
            chaos.join(TimeUnit.SECONDS.toMillis(30));
        }
        for (String id : ids) {
            assertThat(engine.artifacts(id)).hasSize(1);
            assertThat(calls.ofStep(id, "d")).isEqualTo(1);
        }
        assertThat(calls.duplicates()).isEmpty();
    }

    @Test
    void after_a_graceful_shutdown_a_restarted_dispatcher_finishes_every_run_running_each_attempt_once()
            throws Exception {
        StepGraph steady = StepGraph.builder("steady", 1)
                .step(StepDefinition.named("s1").timeout(Duration.ofSeconds(2)).handler(ctx -> {
                    Thread.sleep(20);
                    return calls.record(ctx, 1);
                }))
                .step(StepDefinition.named("s2")
                        .dependsOn("s1")
                        .timeout(Duration.ofSeconds(2))
                        .handler(ctx -> {
                            Thread.sleep(20);
                            return calls.record(ctx, 2);
                        }))
                .build();
        start(Options.defaults().sweepEvery(Duration.ofMillis(200), Duration.ZERO), steady);
        List<String> ids = Runs.start(harness.engine(), "steady", 30);
        long deadline = System.nanoTime() + Runs.PATIENCE.toNanos();
        while (calls.total() < 10) {
            assertThat(System.nanoTime()).as("some steps ran").isLessThan(deadline);
            Runs.sleep(5);
        }

        harness = harness.restart();

        Runs.awaitSucceeded(harness.engine(), ids);
        for (String id : ids) {
            for (StepRecord step : harness.engine().find(id).orElseThrow().steps()) {
                assertThat(calls.of(id, step.name(), step.attempt()))
                        .as(id + " " + step.name() + " committed attempt")
                        .isEqualTo(1);
            }
        }
        assertThat(calls.duplicates()).isEmpty();
    }

    private static void awaitEvent(RunEngine engine, String id, EventType type) {
        long deadline = System.nanoTime() + Runs.PATIENCE.toNanos();
        while (engine.timeline(id).stream().noneMatch(e -> e.type() == type)) {
            assertThat(System.nanoTime()).as("waiting for " + type).isLessThan(deadline);
            Runs.sleep(10);
        }
    }
}
