package io.durableruns.core.engine;

import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.internal.AttemptContext;
import io.durableruns.ports.model.StepLease;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a handler on the calling thread. When timeouts are enforced, a watchdog interrupts the thread at the
 * step's timeout and the attempt fails with {@link StepTimeoutException}, whatever the handler returned.
 */
final class HandlerRunner {
    private static final ScheduledExecutorService WATCHDOG = watchdog();

    private final EngineSettings s;

    HandlerRunner(EngineSettings settings) {
        this.s = settings;
    }

    record Result(Object value, Throwable error) {}

    Result run(StepDefinition def, AttemptContext ctx, StepLease lease) {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> timer = null;
        if (s.enforceTimeouts()) {
            Thread current = Thread.currentThread();
            timer = WATCHDOG.schedule(
                    () -> {
                        timedOut.set(true);
                        current.interrupt();
                    },
                    def.timeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        Object value = null;
        Throwable error = null;
        try {
            s.hooks().beforeHandler(lease);
            value = def.handler().handle(ctx);
        } catch (Exception e) {
            error = e;
        } finally {
            if (timer != null) {
                timer.cancel(false);
                if (timedOut.get()) {
                    Thread.interrupted();
                }
            }
        }
        if (timedOut.get()) {
            StepTimeoutException timeout = new StepTimeoutException(def.name(), def.timeout());
            if (error != null) {
                timeout.addSuppressed(error);
            }
            return new Result(null, timeout);
        }
        return new Result(value, error);
    }

    private static ScheduledExecutorService watchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = Executors.defaultThreadFactory().newThread(r);
            t.setName("durable-runs-step-watchdog");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
