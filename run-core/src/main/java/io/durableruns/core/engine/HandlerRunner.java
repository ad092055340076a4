package io.durableruns.core.engine;

import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.internal.AttemptContext;
import io.durableruns.ports.model.StepLease;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs a handler on the calling thread. Whatever the handler throws, {@link Error}s included, is the attempt's
 * error: a {@link StackOverflowError} or an {@link OutOfMemoryError} thrown by a handler has unwound the handler's
 * stack by the time it arrives here, so it is recorded like any other failure (and retried by the step's policy)
 * rather than allowed to end the thread that runs steps.
 *
 * <p>When timeouts are enforced, a watchdog interrupts the thread at the step's timeout and the attempt fails with
 * {@link StepTimeoutException}, whatever the handler returned. The watchdog and the end of the handler exclude each
 * other, so a timeout that fires as the handler returns either counts or never interrupts; and an interrupt raised
 * during the handler belongs to that attempt: the thread is never left interrupted for the engine's commit or for
 * the caller.
 */
final class HandlerRunner {
    private static final ScheduledExecutorService WATCHDOG = watchdog();

    private final EngineSettings s;

    HandlerRunner(EngineSettings settings) {
        this.s = settings;
    }

    record Result(Object value, Throwable error) {}

    Result run(StepDefinition def, AttemptContext ctx, StepLease lease) {
        Watch watch = s.enforceTimeouts() ? new Watch(Thread.currentThread()) : null;
        ScheduledFuture<?> timer = watch == null
                ? null
                : WATCHDOG.schedule(watch::expire, def.timeout().toNanos(), TimeUnit.NANOSECONDS);
        Object value = null;
        Throwable error = null;
        boolean timedOut = false;
        try {
            s.hooks().beforeHandler(lease);
            value = def.handler().handle(ctx);
        } catch (Throwable t) {
            error = t;
        } finally {
            if (watch != null) {
                timedOut = watch.finish();
                timer.cancel(false);
            }
            Thread.interrupted();
        }
        if (timedOut) {
            StepTimeoutException timeout = new StepTimeoutException(def.name(), def.timeout());
            if (error != null) {
                timeout.addSuppressed(error);
            }
            return new Result(null, timeout);
        }
        return new Result(value, error);
    }

    /** One attempt's race between its handler finishing and its timeout: whichever comes first wins. */
    private static final class Watch {
        private final Thread runner;
        private boolean done;
        private boolean expired;

        Watch(Thread runner) {
            this.runner = runner;
        }

        /** The timeout: interrupts the handler unless it already finished. */
        synchronized void expire() {
            if (!done) {
                expired = true;
                runner.interrupt();
            }
        }

        /** The handler finished; returns whether the timeout came first (its interrupt was then delivered). */
        synchronized boolean finish() {
            done = true;
            return expired;
        }
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
