package io.durableruns.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.core.testkit.SequentialIds;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.EngineObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SweepTest {
    private final SettableClock clock = new SettableClock();
    private final List<String> finished = new CopyOnWriteArrayList<>();

    private RunEngine engine(int maxAttempts) {
        StepGraph graph = StepGraph.builder("once", 1)
                .step(StepDefinition.named("only")
                        .timeout(Duration.ofSeconds(10))
                        .retry(RetryPolicy.newBuilder().maxAttempts(maxAttempts).build())
                        .handler(ctx -> "ok"))
                .build();
        return RunEngine.builder()
                .store(new InMemoryRunStore())
                .registry(new GraphRegistry().register(graph))
                .clock(clock)
                .ids(new SequentialIds())
                .leaseMargin(Duration.ofSeconds(5))
                .observer(new EngineObserver() {
                    @Override
                    public void runFinished(String graph, RunStatus status) {
                        finished.add(graph + ":" + status);
                    }
                })
                .build();
    }

    @Test
    void an_expired_lease_with_no_attempt_left_fails_the_run_and_tells_the_observer() {
        RunEngine engine = engine(1);
        String id = engine.create(CreateRunCommand.of("once", null)).run().run().id();
        assertThat(engine.claimDue("dead-worker", 1)).hasSize(1);

        clock.advance(Duration.ofSeconds(14));
        assertThat(engine.sweep().expiredLeases()).isZero();
        clock.advance(Duration.ofSeconds(2));
        assertThat(engine.sweep().expiredLeases()).isEqualTo(1);

        assertThat(engine.find(id).orElseThrow().run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(engine.timeline(id))
                .extracting(TimelineEvent::type)
                .containsSubsequence(EventType.STEP_LEASE_EXPIRED, EventType.STEP_FAILED, EventType.RUN_FAILED);
        assertThat(finished).containsExactly("once:FAILED");
        assertThat(engine.sweep().total()).isZero();
    }

    @Test
    void an_expired_lease_with_attempts_left_is_queued_again_and_the_next_attempt_succeeds() {
        RunEngine engine = engine(3);
        String id = engine.create(CreateRunCommand.of("once", null)).run().run().id();
        engine.claimDue("dead-worker", 1);
        clock.advance(Duration.ofSeconds(16));

        assertThat(engine.sweep().expiredLeases()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(5));
        var leases = engine.claimDue("live-worker", 1);
        assertThat(leases).singleElement().satisfies(l -> assertThat(l.attempt())
                .isEqualTo(2));
        assertThat(engine.work(leases.get(0), false).outcome())
                .isInstanceOf(io.durableruns.ports.model.DeliveryOutcome.Done.class);
        assertThat(engine.find(id).orElseThrow().run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(finished).containsExactly("once:SUCCEEDED");
    }
}
