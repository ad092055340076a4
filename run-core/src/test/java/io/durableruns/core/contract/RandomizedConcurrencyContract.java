package io.durableruns.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.core.NonRetryableStepException;
import io.durableruns.core.engine.ExecutionHooks;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.testkit.SequentialIds;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.core.testkit.SimulatedCrash;
import io.durableruns.ports.RunStateConflictException;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.in.StepWorkerUseCase;
import io.durableruns.ports.in.WorkResult;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.RunStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A randomized, model-checked concurrency test of the engine over a store. Several threads apply random
 * operations for a time budget: create runs of chain and diamond graphs with random failure plans, claim and run
 * steps (sometimes abandoning a lease, sometimes crashing after the handler and before the commit), deliver random
 * steps as a queue would (duplicates, out of order), cancel, retry by hand, give steps up, sweep, and move the
 * settable clock so that leases expire and retries fall due. Then it drives every run to quiescence and checks the
 * invariants of {@code ARCHITECTURE.md}: every run finished (it always had a way forward); no finished run keeps
 * an unfinished step; no step succeeded twice; one artifact per succeeded step and none for others; each step's
 * attempts start in increasing order; the timeline agrees with the final state; no intent is left.
 *
 * <p>Settings, from the environment: {@code RUNS_RANDOMIZED_SECONDS} (the budget; 60 with {@code CI=true}, else
 * 10), {@code RUNS_RANDOMIZED_SEED} (replays a seed), {@code RUNS_RANDOMIZED_THREADS} (default 4). Each thread draws
 * its operations from its own generator seeded from the seed, so a seed replays the same operations; with one
 * thread the replay is exact. The seed and the operation counts are printed.
 */
public abstract class RandomizedConcurrencyContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    private static final List<String> GRAPHS = List.of("chain-2", "chain-3", "diamond");

    /**
     * The stores the engines run on, all over one database: one store, or several with pools of their own (one
     * engine each).
     */
    protected abstract List<RunStore> stores();

    private final ThreadLocal<Boolean> crashNext = ThreadLocal.withInitial(() -> false);
    private final List<String> runIds = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> counts = new java.util.concurrent.ConcurrentHashMap<>();

    @Test
    void random_operations_from_many_threads_leave_every_run_finished_and_consistent() throws Exception {
        Map<String, String> env = System.getenv();
        long seed = Long.parseLong(env.getOrDefault("RUNS_RANDOMIZED_SEED", String.valueOf(new Random().nextLong())));
        boolean ci = "true".equalsIgnoreCase(env.get("CI"));
        long seconds = Long.parseLong(env.getOrDefault("RUNS_RANDOMIZED_SECONDS", ci ? "60" : "10"));
        int threads = Integer.parseInt(env.getOrDefault("RUNS_RANDOMIZED_THREADS", "4"));
        String name = getClass().getSimpleName();
        System.out.printf(
                "%s: seed %d, %d s, %d threads (replay: RUNS_RANDOMIZED_SEED=%d)%n",
                name, seed, seconds, threads, seed);

        SettableClock clock = new SettableClock(T0);
        SequentialIds ids = new SequentialIds();
        GraphRegistry registry = registry();
        List<RunEngine> engines = new ArrayList<>();
        for (RunStore store : stores()) {
            engines.add(RunEngine.builder()
                    .store(store)
                    .registry(registry)
                    .clock(clock)
                    .ids(ids)
                    .random(new Random(seed))
                    .enforceTimeouts(false)
                    .leaseMargin(Duration.ofSeconds(5))
                    .strandedGrace(Duration.ofSeconds(30))
                    .sweepBatch(7)
                    .hooks(new CrashHooks())
                    .build());
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Random random = new Random(seed * 31 + t);
                String owner = "worker-" + t;
                futures.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline && failures.isEmpty()) {
                        RunEngine engine = engines.get(random.nextInt(engines.size()));
                        try {
                            apply(random, engine, clock, owner);
                        } catch (RuntimeException | AssertionError e) {
                            failures.add(owner + ": " + e);
                            throw e;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(seconds + 300, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures).as("unexpected errors (seed %d)", seed).isEmpty();

        int quiescenceRounds = quiesce(engines.get(0), clock);
        if (quiescenceRounds < 0) {
            List<String> moving = runIds.stream()
                    .flatMap(id -> check(engines.get(0), id).stream())
                    .limit(5)
                    .toList();
            throw new AssertionError("the runs never became quiescent (seed " + seed + "); e.g. " + moving);
        }
        long operations = counts.values().stream().mapToLong(AtomicLong::get).sum();
        System.out.printf(
                "%s: seed %d, %d operations %s, %d runs, quiescent after %d rounds%n",
                name, seed, operations, new java.util.TreeMap<>(counts), runIds.size(), quiescenceRounds);

        List<String> violations = new ArrayList<>();
        for (String id : runIds) {
            violations.addAll(check(engines.get(0), id));
        }
        long intentsLeft = stores().get(0).read(tx -> tx.intents().count());
        if (intentsLeft > 0) {
            violations.add(intentsLeft + " dispatch intent(s) left after every run finished");
        }
        assertThat(violations)
                .as("invariant violations (seed %d, replay with RUNS_RANDOMIZED_SEED=%d)", seed, seed)
                .isEmpty();
        assertThat(runIds).isNotEmpty();
    }

    // ---- the operations -------------------------------------------------------------------------------------

    private void apply(Random random, RunEngine engine, SettableClock clock, String owner) {
        int dice = random.nextInt(100);
        if (dice < 14 || runIds.isEmpty()) {
            create(random, engine);
        } else if (dice < 46) {
            count("work");
            for (StepLease lease : engine.claimDue(owner, 1 + random.nextInt(3))) {
                runChain(random, engine, lease);
            }
        } else if (dice < 62) {
            count("deliver");
            String id = anyRun(random);
            crashNext.set(random.nextInt(10) == 0);
            try {
                engine.deliver(new StepMessage(id, anyStep(random, engine, id)));
            } catch (SimulatedCrash expected) {
                count("crash");
            } finally {
                crashNext.set(false);
            }
        } else if (dice < 68) {
            count("cancel");
            try {
                RunDetails answered = engine.cancel(anyRun(random));
                assertThat(answered.run().status()).isEqualTo(RunStatus.CANCELLED);
            } catch (RunStateConflictException expected) {
                count("conflict");
            }
        } else if (dice < 77) {
            count("retry");
            try {
                RunDetails answered = engine.retry(anyRun(random));
                assertThat(answered.run().status()).isEqualTo(RunStatus.QUEUED);
            } catch (RunStateConflictException expected) {
                count("conflict");
            }
        } else if (dice < 81) {
            count("give-up");
            String id = anyRun(random);
            engine.giveUp(new StepMessage(id, anyStep(random, engine, id)), "randomized test");
        } else if (dice < 89) {
            count("sweep");
            engine.sweep();
        } else {
            count("clock");
            clock.advance(Duration.ofMillis(random.nextInt(15_000)));
        }
    }

    private void create(Random random, RunEngine engine) {
        count("create");
        String graph = GRAPHS.get(random.nextInt(GRAPHS.size()));
        ObjectNode plan = JSON.createObjectNode();
        for (StepDefinition step : engine.registry().resolve(graph, 1).steps()) {
            int dice = random.nextInt(100);
            if (dice < 25) {
                plan.put(step.name(), 1 + random.nextInt(4));
            } else if (dice < 30) {
                plan.put(step.name(), -1);
            }
        }
        ObjectNode input = JSON.createObjectNode().set("fail", plan);
        runIds.add(engine.create(CreateRunCommand.of(graph, input)).run().run().id());
    }

    /** Runs a lease and the successors the engine hands over, as a worker does; or dies on the way. */
    /**
     * Runs a claimed step and what its commits claim for the same worker: its next step and, sometimes, more of the
     * steps a commit readied (a dispatcher's prefetch). Abandoning leaves every lease still held to expire.
     */
    private void runChain(Random random, RunEngine engine, StepLease first) {
        ArrayDeque<StepLease> held = new ArrayDeque<>(List.of(first));
        while (!held.isEmpty()) {
            StepLease lease = held.poll();
            int dice = random.nextInt(100);
            if (dice < 8) {
                count("abandon");
                return;
            }
            crashNext.set(dice < 16);
            try {
                int mode = random.nextInt(3);
                WorkResult result = mode == 2 ? engine.work(lease, prefetch(random)) : engine.work(lease, mode == 1);
                result.next().ifPresent(held::addFirst);
                held.addAll(result.alsoClaimed());
                if (!result.alsoClaimed().isEmpty()) {
                    count("also-claimed");
                }
            } catch (SimulatedCrash expected) {
                count("crash");
                return;
            } finally {
                crashNext.set(false);
            }
        }
    }

    /** A prefetch that asks for up to two steps beyond the worker's own and sometimes holds one for the worker. */
    private static StepWorkerUseCase.Prefetch prefetch(Random random) {
        boolean fromQueue = random.nextBoolean();
        int most = random.nextInt(3);
        return new StepWorkerUseCase.Prefetch() {
            @Override
            public boolean nextFromQueue() {
                return fromQueue;
            }

            @Override
            public int claimBeyond(int readiedBeyond) {
                return most;
            }
        };
    }

    private String anyRun(Random random) {
        return runIds.get(random.nextInt(runIds.size()));
    }

    private static String anyStep(Random random, RunEngine engine, String runId) {
        List<StepRecord> steps = engine.find(runId).orElseThrow().steps();
        return steps.get(random.nextInt(steps.size())).name();
    }

    private void count(String operation) {
        counts.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
    }

    /**
     * Sweeps, claims and runs everything due, and moves the clock past leases and backoffs, until nothing moves.
     * Returns the number of rounds it took, or -1 when work still moved after a bound far beyond what the runs
     * need (each has at most four steps of at most three attempts per manual retry).
     */
    private static int quiesce(RunEngine engine, SettableClock clock) {
        int idle = 0;
        for (int round = 1; round <= 2_000; round++) {
            boolean moved = engine.sweep().total() > 0;
            List<StepLease> leases = engine.claimDue("quiescence", 50);
            for (StepLease lease : leases) {
                StepLease next = lease;
                while (next != null) {
                    next = engine.work(next, true).next().orElse(null);
                }
            }
            moved |= !leases.isEmpty();
            if (moved) {
                idle = 0;
                continue;
            }
            if (++idle == 3) {
                return round;
            }
            clock.advance(Duration.ofMinutes(1));
        }
        return -1;
    }

    // ---- the invariants -------------------------------------------------------------------------------------

    private static List<String> check(RunEngine engine, String id) {
        List<String> violations = new ArrayList<>();
        RunDetails run = engine.find(id).orElseThrow();
        RunStatus status = run.run().status();
        List<TimelineEvent> timeline = engine.timeline(id);
        String where = "run " + id + " (" + status + ", steps " + describe(run.steps()) + "): ";
        if (!status.isTerminal()) {
            violations.add(where + "unfinished after quiescence: no lease, intent or retry moves it on");
        }
        for (StepRecord step : run.steps()) {
            if (status.isTerminal() && !step.status().isTerminal()) {
                violations.add(where + "finished with step " + step.name() + " " + step.status());
            }
            if (status == RunStatus.SUCCEEDED && step.status() != StepStatus.SUCCEEDED) {
                violations.add(where + "succeeded with step " + step.name() + " " + step.status());
            }
            long succeeded = timeline.stream()
                    .filter(e ->
                            e.type() == EventType.STEP_SUCCEEDED && step.name().equals(e.step()))
                    .count();
            if (succeeded != (step.status() == StepStatus.SUCCEEDED ? 1 : 0)) {
                violations.add(where + "step " + step.name() + " has " + succeeded + " STEP_SUCCEEDED event(s)");
            }
            List<Integer> started = timeline.stream()
                    .filter(e ->
                            e.type() == EventType.STEP_STARTED && step.name().equals(e.step()))
                    .map(TimelineEvent::attempt)
                    .toList();
            for (int i = 1; i < started.size(); i++) {
                if (started.get(i) <= started.get(i - 1)) {
                    violations.add(where + "step " + step.name() + " started attempts " + started);
                    break;
                }
            }
        }
        Optional<EventType> lastRunEvent = timeline.stream()
                .map(TimelineEvent::type)
                .filter(t -> t == EventType.RUN_SUCCEEDED
                        || t == EventType.RUN_FAILED
                        || t == EventType.RUN_CANCELLED
                        || t == EventType.RUN_RETRIED)
                .reduce((a, b) -> b);
        if (status.isTerminal() && !lastRunEvent.equals(Optional.of(EventType.valueOf("RUN_" + status)))) {
            violations.add(where + "last run event " + lastRunEvent.orElse(null));
        }
        if (status != RunStatus.CANCELLED && timeline.stream().anyMatch(e -> e.type() == EventType.RUN_CANCELLED)) {
            violations.add(where + "RUN_CANCELLED in its timeline");
        }
        Map<String, Integer> artifacts = new HashMap<>();
        for (ArtifactSummary a : engine.artifacts(id)) {
            artifacts.merge(a.step() + "/" + a.key(), 1, Integer::sum);
        }
        Set<String> expected = new HashSet<>();
        run.steps().stream()
                .filter(s -> s.status() == StepStatus.SUCCEEDED)
                .forEach(s -> expected.add(s.name() + "/out.txt"));
        if (!artifacts.keySet().equals(expected) || artifacts.values().stream().anyMatch(n -> n != 1)) {
            violations.add(where + "artifacts " + artifacts + ", expected one each of " + expected);
        }
        return violations;
    }

    private static String describe(List<StepRecord> steps) {
        return steps.stream()
                .map(s -> s.name() + ":" + s.status() + "@" + s.attempt())
                .toList()
                .toString();
    }

    // ---- the graphs -----------------------------------------------------------------------------------------

    private static GraphRegistry registry() {
        GraphRegistry registry = new GraphRegistry();
        registry.register(StepGraph.builder("chain-2", 1)
                .step(step("s1", List.of()))
                .step(step("s2", List.of("s1")))
                .build());
        registry.register(StepGraph.builder("chain-3", 1)
                .step(step("s1", List.of()))
                .step(step("s2", List.of("s1")))
                .step(step("s3", List.of("s2")))
                .build());
        registry.register(StepGraph.builder("diamond", 1)
                .step(step("a", List.of()))
                .step(step("b", List.of("a")))
                .step(step("c", List.of("a")))
                .step(step("d", List.of("b", "c")))
                .build());
        return registry;
    }

    /**
     * A step that follows the run's failure plan: {@code fail.<step> = n} fails its first n attempts retryably,
     * {@code -1} fails every attempt for good; otherwise it calls a tool and writes one artifact.
     */
    private static StepDefinition.Builder step(String name, List<String> dependsOn) {
        return StepDefinition.named(name)
                .dependsOn(dependsOn)
                .timeout(Duration.ofSeconds(5))
                .retry(RetryPolicy.newBuilder()
                        .maxAttempts(3)
                        .initialBackoff(Duration.ofSeconds(1))
                        .jitter(0)
                        .build())
                .handler(ctx -> {
                    int failures = ctx.input().path("fail").path(name).asInt(0);
                    ctx.tools().call("plan", Map.of("attempt", ctx.attempt()), () -> failures);
                    if (failures < 0) {
                        throw new NonRetryableStepException("planned to fail for good");
                    }
                    if (ctx.attempt() <= failures) {
                        throw new IOException("planned failure " + ctx.attempt() + " of " + failures);
                    }
                    JsonNode out = JSON.createObjectNode().put("step", name).put("attempt", ctx.attempt());
                    ctx.artifacts().putText("out.txt", "text/plain", name);
                    return out;
                });
    }

    /** Crashes an attempt after its handler and before its commit, when the thread asked for it. */
    private final class CrashHooks implements ExecutionHooks {
        @Override
        public void beforeCommit(StepLease lease) {
            if (crashNext.get()) {
                throw new SimulatedCrash("randomized crash of " + lease.step() + " attempt " + lease.attempt());
            }
        }
    }
}
