package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.SweepResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MicrometerEngineObserverTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerEngineObserver observer = new MicrometerEngineObserver(registry);

    @Test
    void a_rescheduled_attempt_counts_as_a_retry_and_other_outcomes_do_not() {
        StepError error = new StepError("java.io.IOException", "down", "");
        observer.stepAttempted(
                "g", "s", new DeliveryOutcome.RetryAt("run", "s", 1, Instant.EPOCH, error), Duration.ofMillis(20));
        observer.stepAttempted("g", "s", new DeliveryOutcome.Done("run", "s", 2), Duration.ofMillis(30));
        observer.stepAttempted("g", "s", new DeliveryOutcome.Failed("run", "s", 3, error), Duration.ofMillis(40));

        assertThat(registry.get(MicrometerEngineObserver.STEP_RETRIES)
                        .tag("step", "s")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MicrometerEngineObserver.STEP_DURATION)
                        .tag("outcome", "done")
                        .timer()
                        .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
                .isEqualTo(30.0);
    }

    @Test
    void runs_are_counted_by_graph_and_terminal_status() {
        observer.runCreated("g");
        observer.runCreated("g");
        observer.runFinished("g", RunStatus.CANCELLED);

        assertThat(registry.get(MicrometerEngineObserver.RUNS_CREATED)
                        .tag("graph", "g")
                        .counter()
                        .count())
                .isEqualTo(2.0);
        assertThat(registry.get(MicrometerEngineObserver.RUNS_FINISHED)
                        .tag("status", "cancelled")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void sweeper_recoveries_and_replaced_workers_are_counted() {
        observer.swept(new SweepResult(2, 1));
        observer.swept(new SweepResult(0, 0));
        observer.workerReplaced("worker-3", new OutOfMemoryError("simulated"));

        assertThat(registry.get(MicrometerEngineObserver.SWEEP_RECOVERIES)
                        .tag("kind", "expired_lease")
                        .counter()
                        .count())
                .isEqualTo(2.0);
        assertThat(registry.get(MicrometerEngineObserver.SWEEP_RECOVERIES)
                        .tag("kind", "stranded_step")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MicrometerEngineObserver.WORKERS_REPLACED)
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void missing_values_never_make_the_observer_throw() {
        observer.runCreated(null);
        observer.runFinished(null, null);
        observer.stepAttempted(null, null, null, null);
        observer.delivered(null);

        assertThat(registry.get(MicrometerEngineObserver.DELIVERIES)
                        .tag("outcome", "unknown")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(registry.get(MicrometerEngineObserver.RUNS_CREATED)
                        .tag("graph", "unknown")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void signature_rejection_reasons_are_tamed_into_short_tag_values() {
        assertThat(ApiMetrics.tagValue("Body Hash: mismatch!")).isEqualTo("body_hash_mismatch_");
        assertThat(ApiMetrics.tagValue(null)).isEqualTo("unknown");
        assertThat(ApiMetrics.tagValue("x".repeat(100))).hasSize(48);
    }
}
