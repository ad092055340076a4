package io.durableruns.http;

import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.SweepResult;
import io.durableruns.ports.out.EngineObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records engine events as Micrometer meters. Pass the same registry to {@link RunsHttpServer} so that
 * {@code GET /metrics} shows them:
 *
 * <ul>
 *   <li>{@code durableruns_created_runs_total{graph}}
 *   <li>{@code durableruns_finished_runs_total{graph,status}}
 *   <li>{@code durableruns_step_duration_seconds{graph,step,outcome}} (a histogram)
 *   <li>{@code durableruns_step_retries_total{graph,step}}: attempts that failed and were rescheduled
 *   <li>{@code durableruns_deliveries_total{outcome}}: done, duplicate, retry, failed, busy, ignored
 *   <li>{@code durableruns_workers_replaced_total}: dispatcher worker threads that died and were replaced
 *   <li>{@code durableruns_sweep_recoveries_total{kind}}: expired leases and stranded steps the sweeper recovered
 *       (work that no signal, timer or message moved on)
 * </ul>
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * EngineObserver observer = new MicrometerEngineObserver(registry);
 * // give the observer to the engine, and the registry to RunsHttpServer.builder().meterRegistry(registry)
 * }</pre>
 */
public final class MicrometerEngineObserver implements EngineObserver {
    private static final Logger LOG = LoggerFactory.getLogger(MicrometerEngineObserver.class);

    static final String RUNS_CREATED = "durableruns.created.runs";
    static final String RUNS_FINISHED = "durableruns.finished.runs";
    static final String STEP_DURATION = "durableruns.step.duration";
    static final String STEP_RETRIES = "durableruns.step.retries";
    static final String DELIVERIES = "durableruns.deliveries";
    static final String WORKERS_REPLACED = "durableruns.workers.replaced";
    static final String SWEEP_RECOVERIES = "durableruns.sweep.recoveries";

    private static final Duration[] BUCKETS = {
        Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5)
    };

    private final MeterRegistry registry;

    public MicrometerEngineObserver(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public void runCreated(String graph) {
        safely(() -> Counter.builder(RUNS_CREATED)
                .description("Runs created")
                .tag("graph", value(graph))
                .register(registry)
                .increment());
    }

    @Override
    public void runFinished(String graph, RunStatus status) {
        safely(() -> Counter.builder(RUNS_FINISHED)
                .description("Runs that reached a terminal status")
                .tag("graph", value(graph))
                .tag("status", status == null ? "unknown" : status.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment());
    }

    @Override
    public void stepAttempted(String graph, String step, DeliveryOutcome outcome, Duration duration) {
        safely(() -> recordAttempt(graph, step, outcome, duration));
    }

    private void recordAttempt(String graph, String step, DeliveryOutcome outcome, Duration duration) {
        String outcomeLabel = outcome == null ? "unknown" : outcome.label();
        Timer.builder(STEP_DURATION)
                .description("Time spent in step handlers, per attempt")
                .tag("graph", value(graph))
                .tag("step", value(step))
                .tag("outcome", outcomeLabel)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(duration == null || duration.isNegative() ? Duration.ZERO : duration);
        if (outcome instanceof DeliveryOutcome.RetryAt) {
            Counter.builder(STEP_RETRIES)
                    .description("Step attempts that failed and were scheduled again")
                    .tag("graph", value(graph))
                    .tag("step", value(step))
                    .register(registry)
                    .increment();
        }
    }

    @Override
    public void delivered(DeliveryOutcome outcome) {
        safely(() -> Counter.builder(DELIVERIES)
                .description("Step deliveries and worker leases, by outcome")
                .tag("outcome", outcome == null ? "unknown" : outcome.label())
                .register(registry)
                .increment());
    }

    @Override
    public void swept(SweepResult result) {
        safely(() -> {
            sweepRecoveries("expired_lease").increment(result.expiredLeases());
            sweepRecoveries("stranded_step").increment(result.strandedSteps());
        });
    }

    private Counter sweepRecoveries(String kind) {
        return Counter.builder(SWEEP_RECOVERIES)
                .description("Expired leases and stranded steps the sweeper recovered")
                .tag("kind", kind)
                .register(registry);
    }

    @Override
    public void workerReplaced(String worker, Throwable cause) {
        safely(() -> Counter.builder(WORKERS_REPLACED)
                .description("Dispatcher worker threads that died and were replaced")
                .register(registry)
                .increment());
    }

    /** Observers must never disturb the engine: a meter that cannot be recorded is logged and skipped. */
    private static void safely(Runnable recording) {
        try {
            recording.run();
        } catch (RuntimeException e) {
            LOG.debug("Could not record an engine metric", e);
        }
    }

    private static String value(String s) {
        return s == null ? "unknown" : s;
    }
}
