package io.durableruns.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.core.testkit.SequentialIds;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.StepWorkerUseCase.Prefetch;
import io.durableruns.ports.in.WorkResult;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A step claimed in a commit for a process's prefetch may wait before a worker starts it. Its lease runs from the
 * claim (timeout plus margin) and its handler's timeout from its start, so a late start gets a whole lease, and a
 * step that moved on while it waited is not started.
 */
class PrefetchedLeaseTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MARGIN = Duration.ofSeconds(4);
    /** Claims every readied step beyond the worker's own. */
    private static final Prefetch ALL = new Prefetch() {
        @Override
        public boolean nextFromQueue() {
            return true;
        }

        @Override
        public int claimBeyond(int readiedBeyond) {
            return readiedBeyond;
        }
    };

    private final SettableClock clock = new SettableClock();
    private final AtomicReference<RunEngine> engine = new AtomicReference<>();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    /** What a sweep in the middle of each branch's handler found expired. */
    private final List<Integer> sweptMidway = new CopyOnWriteArrayList<>();

    /** {@code root → a, b → join}; a branch's handler runs 9 of its 10 seconds, with a sweep at the end. */
    private RunEngine engine() {
        StepGraph graph = StepGraph.builder("fan", 1)
                .step("root", ctx -> "r")
                .step(StepDefinition.named("a")
                        .dependsOn("root")
                        .timeout(TIMEOUT)
                        .handler(ctx -> branch(ctx.stepName())))
                .step(StepDefinition.named("b")
                        .dependsOn("root")
                        .timeout(TIMEOUT)
                        .handler(ctx -> branch(ctx.stepName())))
                .step("join", List.of("a", "b"), ctx -> "j")
                .build();
        engine.set(RunEngine.builder()
                .store(new InMemoryRunStore())
                .registry(new GraphRegistry().register(graph))
                .clock(clock)
                .ids(new SequentialIds())
                .leaseMargin(MARGIN)
                .enforceTimeouts(false)
                .build());
        return engine.get();
    }

    private String branch(String step) {
        handled.add(step);
        clock.advance(Duration.ofSeconds(9));
        sweptMidway.add(engine.get().sweep().expiredLeases());
        return step;
    }

    /** Creates a run and works its root with a prefetch: the two branches, one as its next, one claimed beyond. */
    private static List<StepLease> rootCommitted(RunEngine engine) {
        engine.create(CreateRunCommand.of("fan", null));
        StepLease root = engine.claimDue("worker", 1).get(0);
        WorkResult r = engine.work(root, ALL);
        assertThat(r.outcome()).isInstanceOf(DeliveryOutcome.Done.class);
        assertThat(r.next()).isPresent();
        assertThat(r.alsoClaimed()).hasSize(1);
        return List.of(r.next().get(), r.alsoClaimed().get(0));
    }

    @Test
    void a_prefetched_step_that_starts_late_runs_under_a_whole_lease_and_is_not_taken_over() {
        RunEngine engine = engine();
        List<StepLease> branches = rootCommitted(engine);

        // The first branch runs at once, for 9 s; the second waits for it, then runs for 9 s too: 18 s after its
        // claim, past the 14 s its lease had from the claim.
        assertThat(engine.work(branches.get(0), false).outcome()).isInstanceOf(DeliveryOutcome.Done.class);
        WorkResult late = engine.work(branches.get(1), false);

        assertThat(sweptMidway).containsExactly(0, 0);
        assertThat(late.outcome()).isInstanceOf(DeliveryOutcome.Done.class);
        StepLease join = engine.claimDue("worker", 1).get(0);
        assertThat(engine.work(join, false).outcome()).isInstanceOf(DeliveryOutcome.Done.class);
        assertThat(engine.find(join.runId()).orElseThrow().run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(handled).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void a_prefetched_step_of_a_run_cancelled_while_it_waited_is_not_started() {
        RunEngine engine = engine();
        List<StepLease> branches = rootCommitted(engine);
        String runId = branches.get(1).runId();
        engine.cancel(runId);
        clock.advance(Duration.ofSeconds(3));

        WorkResult r = engine.work(branches.get(1), false);

        assertThat(r.outcome()).isInstanceOf(DeliveryOutcome.Ignored.class);
        assertThat(handled).isEmpty();
        assertThat(engine.find(runId).orElseThrow().steps())
                .filteredOn(step -> step.name().equals(branches.get(1).step()))
                .singleElement()
                .satisfies(step -> assertThat(step.status()).isEqualTo(StepStatus.CANCELLED));
    }
}
