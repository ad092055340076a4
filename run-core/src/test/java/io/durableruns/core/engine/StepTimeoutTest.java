package io.durableruns.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.RunStatus;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Timeouts are enforced on real time: an attempt that runs past its timeout is interrupted and retried. */
class StepTimeoutTest {

    @Test
    void an_attempt_past_its_timeout_is_interrupted_fails_and_the_retry_runs() {
        AtomicBoolean interrupted = new AtomicBoolean();
        StepGraph graph = StepGraph.builder("slowpoke", 1)
                .step(StepDefinition.named("nap")
                        .timeout(Duration.ofMillis(200))
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(2)
                                .initialBackoff(Duration.ZERO)
                                .jitter(0)
                                .build())
                        .handler(ctx -> {
                            if (ctx.attempt() == 1) {
                                try {
                                    Thread.sleep(60_000);
                                } catch (InterruptedException e) {
                                    interrupted.set(true);
                                    throw e;
                                }
                            }
                            return Map.of("attempt", ctx.attempt());
                        }))
                .build();
        RunEngine engine = RunEngine.builder()
                .store(new InMemoryRunStore())
                .registry(new GraphRegistry().register(graph))
                .build();
        String id =
                engine.create(CreateRunCommand.of("slowpoke", null)).run().run().id();

        DeliveryOutcome first = engine.deliver(new StepMessage(id, "nap"));

        assertThat(first).isInstanceOfSatisfying(DeliveryOutcome.RetryAt.class, r -> assertThat(
                        r.error().type())
                .isEqualTo(StepTimeoutException.class.getName()));
        assertThat(interrupted).as("the watchdog interrupted the handler").isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(engine.deliver(new StepMessage(id, "nap"))).isInstanceOf(DeliveryOutcome.Done.class);
        assertThat(engine.find(id).orElseThrow().run().status()).isEqualTo(RunStatus.SUCCEEDED);
    }
}
