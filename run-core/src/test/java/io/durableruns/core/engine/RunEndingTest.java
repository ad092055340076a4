package io.durableruns.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.NonRetryableStepException;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.core.testkit.SequentialIds;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.RunStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What happens to the steps of a run that finishes while some of them are still running. */
class RunEndingTest {
    private final SettableClock clock = new SettableClock();
    private final RunStore store = new InMemoryRunStore();
    private final SequentialIds ids = new SequentialIds();

    private RunEngine engine(StepGraph... graphs) {
        GraphRegistry registry = new GraphRegistry();
        for (StepGraph g : graphs) {
            registry.register(g);
        }
        return RunEngine.builder()
                .store(store)
                .registry(registry)
                .clock(clock)
                .ids(ids)
                .enforceTimeouts(false)
                .build();
    }

    /** Two independent roots: one fails for good, the other fails retryably after calling a tool. */
    private static StepGraph twoRoots() {
        return StepGraph.builder("two-roots", 1)
                .step(StepDefinition.named("slow")
                        .retry(RetryPolicy.newBuilder().maxAttempts(3).build())
                        .handler(ctx -> {
                            ctx.tools().call("search", Map.of("q", "x"), () -> "result");
                            throw new IOException("upstream timed out");
                        }))
                .step("broken", ctx -> {
                    throw new NonRetryableStepException("bad input");
                })
                .build();
    }

    private static StepGraph single(String name) {
        return StepGraph.builder(name, 1)
                .step(StepDefinition.named("only")
                        .timeout(Duration.ofSeconds(10))
                        .handler(ctx -> "ok"))
                .build();
    }

    private String start(RunEngine engine, String graph) {
        return engine.create(CreateRunCommand.of(graph, null)).run().run().id();
    }

    @Test
    void a_step_still_running_when_its_run_fails_ends_with_it_and_its_late_failure_schedules_nothing() {
        RunEngine engine = engine(twoRoots());
        String id = start(engine, "two-roots");
        List<StepLease> leases = engine.claimDue("worker", 2);
        StepLease slow =
                leases.stream().filter(l -> l.step().equals("slow")).findFirst().orElseThrow();
        StepLease broken = leases.stream()
                .filter(l -> l.step().equals("broken"))
                .findFirst()
                .orElseThrow();

        assertThat(engine.work(broken, false).outcome()).isInstanceOf(DeliveryOutcome.Failed.class);
        var failed = engine.find(id).orElseThrow();
        assertThat(failed.run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.step("slow").orElseThrow().status())
                .as("a step still running when its run failed")
                .isEqualTo(StepStatus.CANCELLED);

        assertThat(engine.work(slow, false).outcome()).isInstanceOf(DeliveryOutcome.Ignored.class);
        assertThat(engine.find(id).orElseThrow().step("slow").orElseThrow().status())
                .isEqualTo(StepStatus.CANCELLED);
        assertThat(engine.toolCalls(id)).singleElement().satisfies(call -> assertThat(call.step())
                .isEqualTo("slow"));
        TimelineEvent late = engine.timeline(id).stream()
                .filter(e -> e.type() == EventType.STEP_RESULT_DISCARDED)
                .findFirst()
                .orElseThrow();
        assertThat(late.step()).isEqualTo("slow");
        assertThat(late.data().path("message").asText()).isEqualTo("upstream timed out");

        for (int sweep = 0; sweep < 3; sweep++) {
            clock.advance(Duration.ofMinutes(10));
            assertThat(engine.sweep().total()).as("recoveries in a failed run").isZero();
        }
        assertThat(engine.nextDueAt()).as("intents left for a failed run").isEmpty();
    }

    @Test
    void a_cancelled_run_leaves_no_step_running_and_a_late_success_is_recorded_without_effect() {
        RunEngine engine = engine(single("single"));
        String id = start(engine, "single");
        StepLease lease = engine.claimDue("worker", 1).get(0);
        engine.cancel(id);
        assertThat(engine.find(id).orElseThrow().steps())
                .allSatisfy(s -> assertThat(s.status()).isEqualTo(StepStatus.CANCELLED));

        assertThat(engine.work(lease, false).outcome()).isInstanceOf(DeliveryOutcome.Ignored.class);
        var run = engine.find(id).orElseThrow();
        assertThat(run.run().status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.step("only").orElseThrow().output()).isNull();
        assertThat(engine.timeline(id))
                .extracting(TimelineEvent::type)
                .endsWith(EventType.RUN_CANCELLED, EventType.STEP_RESULT_DISCARDED);
    }

    @Test
    void the_sweeper_recovers_an_expired_lease_behind_more_than_a_batch_of_leases_it_cannot_recover() {
        RunEngine old = engine(single("old"));
        for (int i = 0; i < 101; i++) {
            start(old, "old");
        }
        assertThat(old.claimDue("dead-old-worker", 200)).hasSize(101);
        clock.advance(Duration.ofSeconds(1));
        RunEngine current = engine(single("current"));
        String id = start(current, "current");
        assertThat(current.claimDue("dead-worker", 1)).hasSize(1);

        clock.advance(Duration.ofMinutes(5));
        assertThat(current.sweep().expiredLeases()).isEqualTo(1);
        assertThat(current.find(id).orElseThrow().step("only").orElseThrow().status())
                .isEqualTo(StepStatus.RETRYING);
    }
}
