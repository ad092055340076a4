package io.durableruns.core.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.core.engine.ExecutionHooks;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.internal.Json;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.model.ToolCallRecord;
import io.durableruns.ports.out.RunStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs step graphs offline, deterministically, in memory: a store, a settable clock, predictable ids and a
 * single-threaded dispatcher that you drive from a test. Backoffs elapse at once when the kit advances the
 * clock; failures and crashes can be injected into chosen attempts.
 *
 * <pre>{@code
 * RunTestKit kit = RunTestKit.of(researchGraph);
 * kit.failAttempts("synthesize", 2, new IOException("model overloaded"));
 * String runId = kit.start("research", Map.of("topic", "durable execution"));
 * kit.runUntilIdle();
 * assertThat(kit.run(runId).run().status()).isEqualTo(RunStatus.SUCCEEDED);
 * assertThat(kit.artifactText(runId, "write-spec", "spec.md")).contains("durable execution");
 * }</pre>
 */
public final class RunTestKit {
    private static final String OWNER = "test-kit";
    private static final int MAX_DELIVERIES = 100_000;

    private final SettableClock clock;
    private final RunStore store;
    private final RunEngine engine;
    private final ObjectMapper mapper = Json.defaultMapper();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final List<Instant> crashedLeaseExpiries = new ArrayList<>();

    private RunTestKit(RunStore store, GraphRegistry registry, SettableClock clock) {
        this.clock = clock;
        this.store = store;
        this.engine = RunEngine.builder()
                .store(store)
                .registry(registry)
                .clock(clock)
                .ids(new SequentialIds())
                .random(new Random(42))
                .enforceTimeouts(false)
                .hooks(new Hooks())
                .build();
    }

    /** A kit with a fresh in-memory store and the given graphs registered. */
    public static RunTestKit of(StepGraph... graphs) {
        GraphRegistry registry = new GraphRegistry();
        for (StepGraph g : graphs) {
            registry.register(g);
        }
        return new RunTestKit(new InMemoryRunStore(), registry, new SettableClock());
    }

    /** A kit over any store (the contract tests run it against the database stores). */
    public static RunTestKit over(RunStore store, GraphRegistry registry, SettableClock clock) {
        return new RunTestKit(store, registry, clock);
    }

    public RunEngine engine() {
        return engine;
    }

    public SettableClock clock() {
        return clock;
    }

    public RunStore store() {
        return store;
    }

    // ---- starting runs ------------------------------------------------------------------------------------

    /** Starts a run of the newest version of {@code graph}; {@code input} is mapped to JSON. */
    public String start(String graph, Object input) {
        return engine.create(new CreateRunCommand(graph, null, toJson(input), null))
                .run()
                .run()
                .id();
    }

    /** Starts a run of a given version. */
    public String start(String graph, int version, Object input) {
        return engine.create(new CreateRunCommand(graph, version, toJson(input), null))
                .run()
                .run()
                .id();
    }

    private JsonNode toJson(Object input) {
        return input instanceof JsonNode n ? n : mapper.valueToTree(input);
    }

    // ---- driving -------------------------------------------------------------------------------------------

    /**
     * Delivers due steps one at a time until nothing is left to do, advancing the clock to the next retry or
     * lease expiry whenever nothing is due.
     *
     * @return how many step attempts ran
     * @throws IllegalStateException when work never stops (a graph that retries forever)
     */
    public int runUntilIdle() {
        return drive(true);
    }

    /** Like {@link #runUntilIdle()} but never moves the clock: only work due now runs. */
    public int runDueNow() {
        return drive(false);
    }

    private int drive(boolean advanceClock) {
        int attempts = 0;
        for (int i = 0; i < MAX_DELIVERIES; i++) {
            List<StepLease> leases = engine.claimDue(OWNER, 1);
            if (!leases.isEmpty()) {
                runLease(leases.get(0));
                attempts++;
                continue;
            }
            if (engine.sweep().total() > 0) {
                continue;
            }
            Optional<Instant> next = nextEvent();
            if (advanceClock && next.isPresent()) {
                if (next.get().isAfter(clock.instant())) {
                    clock.set(next.get());
                }
                continue;
            }
            return attempts;
        }
        throw new IllegalStateException(
                "runs did not become idle after " + MAX_DELIVERIES + " deliveries; a step may be retrying forever");
    }

    private Optional<Instant> nextEvent() {
        Optional<Instant> due = engine.nextDueAt();
        synchronized (crashedLeaseExpiries) {
            crashedLeaseExpiries.removeIf(t -> t.isBefore(clock.instant()));
            Optional<Instant> lease =
                    crashedLeaseExpiries.stream().min(Comparator.naturalOrder()).map(t -> t.plusNanos(1000));
            if (due.isEmpty()) {
                return lease;
            }
            if (lease.isEmpty()) {
                return due;
            }
            return Optional.of(due.get().isBefore(lease.get()) ? due.get() : lease.get());
        }
    }

    private DeliveryOutcome runLease(StepLease lease) {
        try {
            return engine.work(lease, false).outcome();
        } catch (SimulatedCrash crash) {
            synchronized (crashedLeaseExpiries) {
                crashedLeaseExpiries.add(lease.leaseUntil());
            }
            return new DeliveryOutcome.Ignored(lease.runId(), lease.step(), "simulated crash before commit");
        }
    }

    /** Delivers one step message now, as a queue would (whether or not the step is due). */
    public DeliveryOutcome deliver(String runId, String step) {
        try {
            return engine.deliver(new StepMessage(runId, step));
        } catch (SimulatedCrash crash) {
            return new DeliveryOutcome.Ignored(runId, step, "simulated crash before commit");
        }
    }

    /**
     * Delivers the same step message {@code times} times at once from as many threads, released together.
     *
     * @return each delivery's outcome
     */
    public List<DeliveryOutcome> deliverConcurrently(String runId, String step, int times) {
        ExecutorService pool = Executors.newFixedThreadPool(times);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<DeliveryOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return deliver(runId, step);
                }));
            }
            go.countDown();
            List<DeliveryOutcome> outcomes = new ArrayList<>();
            for (Future<DeliveryOutcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        } catch (Exception e) {
            throw new IllegalStateException("concurrent delivery failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    public void advance(Duration duration) {
        clock.advance(duration);
    }

    // ---- fault injection -------------------------------------------------------------------------------

    /** Makes the first {@code attempts} attempts of {@code step} (in any run) throw {@code error}. */
    public RunTestKit failAttempts(String step, int attempts, Exception error) {
        faults.put(step, new Fault(attempts, error, false));
        return this;
    }

    /**
     * Makes attempt {@code attempt} of {@code step} (in any run) run its handler and then "crash" before it
     * commits: nothing is written, the step stays RUNNING until its lease expires, like a killed process.
     */
    public RunTestKit crashBeforeCommit(String step, int attempt) {
        faults.put(step, new Fault(attempt, null, true));
        return this;
    }

    /** Removes every injected fault. */
    public RunTestKit clearFaults() {
        faults.clear();
        return this;
    }

    private record Fault(int attempt, Exception error, boolean crash) {}

    private final class Hooks implements ExecutionHooks {
        @Override
        public void beforeHandler(StepLease lease) throws Exception {
            Fault f = faults.get(lease.step());
            if (f != null && !f.crash() && lease.attempt() <= f.attempt()) {
                throw f.error();
            }
        }

        @Override
        public void beforeCommit(StepLease lease) {
            Fault f = faults.get(lease.step());
            if (f != null && f.crash() && lease.attempt() == f.attempt()) {
                throw new SimulatedCrash(
                        "simulated crash of " + lease.step() + " attempt " + lease.attempt() + " before commit");
            }
        }
    }

    // ---- reading -------------------------------------------------------------------------------------------

    public RunDetails run(String runId) {
        return engine.find(runId).orElseThrow(() -> new IllegalArgumentException("no run " + runId));
    }

    public StepRecord step(String runId, String step) {
        return run(runId)
                .step(step)
                .orElseThrow(() -> new IllegalArgumentException("run " + runId + " has no step " + step));
    }

    public List<TimelineEvent> timeline(String runId) {
        return engine.timeline(runId);
    }

    /** The timeline's event types in order, for compact assertions. */
    public List<EventType> timelineTypes(String runId) {
        return timeline(runId).stream().map(TimelineEvent::type).toList();
    }

    public List<ArtifactSummary> artifacts(String runId) {
        return engine.artifacts(runId);
    }

    public String artifactText(String runId, String step, String key) {
        return engine.artifact(runId, step, key)
                .map(a -> new String(a.content(), StandardCharsets.UTF_8))
                .orElseThrow(
                        () -> new IllegalArgumentException("no artifact " + step + "/" + key + " in run " + runId));
    }

    public List<ToolCallRecord> toolCalls(String runId) {
        return engine.toolCalls(runId);
    }
}
