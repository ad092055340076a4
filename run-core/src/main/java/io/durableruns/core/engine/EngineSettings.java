package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.out.DispatchSignal;
import io.durableruns.ports.out.EngineObserver;
import io.durableruns.ports.out.IdGenerator;
import io.durableruns.ports.out.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.random.RandomGenerator;

/** What the parts of the engine share; built once by {@link RunEngine.Builder}. */
record EngineSettings(
        RunStore store,
        GraphRegistry registry,
        Clock clock,
        IdGenerator ids,
        ObjectMapper mapper,
        DispatchSignal signal,
        EngineObserver observer,
        ExecutionHooks hooks,
        Duration leaseMargin,
        Duration strandedGrace,
        RandomGenerator random,
        boolean enforceTimeouts,
        int sweepBatch) {

    /** The current time, truncated to microseconds so every store round-trips it exactly. */
    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** A dispatch intent for the next attempt of {@code step}, which is ready (QUEUED) or waiting for a retry. */
    DispatchIntent intent(StepRecord step, Instant due, Instant now) {
        return new DispatchIntent(ids.newId("int"), step.runId(), step.name(), step.attempt() + 1, due, now);
    }

    synchronized double nextRandom() {
        return random.nextDouble();
    }
}
