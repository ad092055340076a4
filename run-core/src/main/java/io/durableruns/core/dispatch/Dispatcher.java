package io.durableruns.core.dispatch;

import io.durableruns.ports.in.DispatchUseCases;
import io.durableruns.ports.out.DispatchSignal;
import io.durableruns.ports.out.DispatchTransport;
import io.durableruns.ports.out.EngineObserver;
import io.durableruns.ports.out.WakeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatch runtime: moves the steps of runs through one {@link DispatchTransport}, with no thread of the
 * caller's. It wakes when the engine commits intents (it is the engine's {@link DispatchSignal}), when another
 * process does ({@link Builder#wakeSource}), when a retry falls due (a timer) and, as a safety net, on a slow
 * poll; it takes work in batches no larger than its free workers, runs it on a fixed pool of worker threads, and
 * sweeps expired leases and stranded steps periodically. {@link #close()} stops taking work, gives back what no
 * worker started, and lets running work finish within a grace period.
 *
 * <p>The default transport is local: the workers claim due steps from the store and run them, each worker going
 * on with the successor its commit claimed. A push transport (QStash) instead publishes intents, and the queue
 * delivers each step back to the HTTP API.
 *
 * <pre>{@code
 * Dispatcher dispatcher = Dispatcher.builder().workers(8).wakeSource(store).build();
 * RunEngine engine = RunEngine.builder().store(store).registry(registry).dispatchSignal(dispatcher).build();
 * dispatcher.start(engine);
 * ...
 * dispatcher.close(); // stops taking work, lets running steps finish within the grace period
 * }</pre>
 */
public final class Dispatcher implements DispatchSignal, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final Settings settings;
    private final DispatchTransport transport;
    private final WakeSource wakeSource;
    private final DispatchThreads runtime;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private AutoCloseable subscription;

    private Dispatcher(Builder builder) {
        this.settings = new Settings(
                builder.owner,
                builder.workers,
                builder.batchSize == 0 ? builder.workers : builder.batchSize,
                builder.pollInterval,
                builder.sweepInterval,
                builder.shutdownGrace,
                builder.prefetch,
                builder.observer);
        LocalTransport local = builder.transport == null ? new LocalTransport() : null;
        this.transport = local != null ? local : builder.transport;
        this.wakeSource = builder.wakeSource;
        this.runtime = new DispatchThreads(settings, transport);
        if (local != null && settings.prefetch() > 0) {
            local.claimBeyond(settings.prefetch(), runtime);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The dispatcher's tuning, validated by its builder. */
    record Settings(
            String owner,
            int workers,
            int batchSize,
            Duration pollInterval,
            Duration sweepInterval,
            Duration shutdownGrace,
            int prefetch,
            EngineObserver observer) {}

    /**
     * Binds the transport to {@code engine} and starts the threads: workers, the fetcher, the sweeper, and the
     * wake source's subscription. Call once, after the engine was built with this dispatcher as its {@link
     * DispatchSignal}.
     */
    public Dispatcher start(DispatchUseCases engine) {
        Objects.requireNonNull(engine, "engine");
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException("a Dispatcher starts once; this one was already started or closed");
        }
        transport.bind(settings.owner(), engine, runtime::intentsDue);
        runtime.start(engine);
        if (wakeSource != null) {
            subscription = wakeSource.subscribe(runtime::intentsUnknown);
        }
        LOG.info(
                "Dispatcher {} started: {}, {} workers, prefetch {}, poll every {} ms, sweep every {} ms",
                settings.owner(),
                transport.describe(),
                settings.workers(),
                settings.prefetch(),
                settings.pollInterval().toMillis(),
                settings.sweepInterval().toMillis());
        return this;
    }

    /** Wakes a worker when the intents are work now, or sets a timer for later ones. Fast; never throws. */
    @Override
    public void intentsCommitted(Instant earliestDue) {
        runtime.intentsDue(transport.workAt(earliestDue == null ? Instant.EPOCH : earliestDue));
    }

    /** The owner name written into the leases this dispatcher takes. */
    public String owner() {
        return settings.owner();
    }

    /**
     * How many worker threads died and were replaced since the start. A worker survives whatever a task throws;
     * only an engine failure such as an {@link OutOfMemoryError} outside a step's handler ends its thread, and a
     * new one takes its place at once.
     */
    public long workersReplaced() {
        return runtime.workersReplaced();
    }

    /**
     * Stops taking work, gives back what no worker started, lets running work finish within the shutdown grace,
     * and interrupts the workers still running after it (their leases expire and a sweeper recovers the steps).
     * Idempotent.
     */
    @Override
    public void close() {
        int previous = state.getAndSet(CLOSED);
        if (previous == CLOSED) {
            return;
        }
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.warn("Closing the wake source failed: {}", e.toString());
            }
        }
        if (previous == STARTED) {
            runtime.stop();
            LOG.info("Dispatcher {} stopped", settings.owner());
        }
    }

    /** Configures a {@link Dispatcher}; every setting has a default. */
    public static final class Builder {
        private String owner = "dispatcher-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        private DispatchTransport transport;
        private WakeSource wakeSource;
        private int workers = 8;
        private int batchSize;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration sweepInterval = Duration.ofSeconds(10);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private int prefetch;
        private EngineObserver observer = EngineObserver.NONE;

        private Builder() {}

        /** How steps move (default: local workers claiming from the store). */
        public Builder transport(DispatchTransport value) {
            this.transport = Objects.requireNonNull(value, "transport");
            return this;
        }

        /** Also wake when other processes commit intents (a PostgreSQL store's {@code LISTEN/NOTIFY}). */
        public Builder wakeSource(WakeSource value) {
            this.wakeSource = Objects.requireNonNull(value, "wakeSource");
            return this;
        }

        /** How many tasks run at once: steps with the local transport, publishes with a push one (default 8). */
        public Builder workers(int value) {
            this.workers = value;
            return this;
        }

        /** The most tasks one take hands out (default: the number of workers). */
        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /** How often idle workers look for work nobody signalled (default 1 s); a safety net only. */
        public Builder pollInterval(Duration value) {
            this.pollInterval = value;
            return this;
        }

        /** How often expired leases and stranded steps are recovered (default 10 s). */
        public Builder sweepInterval(Duration value) {
            this.sweepInterval = value;
            return this;
        }

        /** How long {@link #close()} waits for running tasks before interrupting them (default 30 s). */
        public Builder shutdownGrace(Duration value) {
            this.shutdownGrace = value;
            return this;
        }

        /**
         * How many steps a worker's commit may claim for this process beyond the worker's own next one (default 0:
         * none); the local transport only. When a commit readies several steps at once (a fan-out's branches), the
         * worker takes one and, with a prefetch, claims up to this many of the others in the same commit, for this
         * process's other workers, instead of queuing them in the store: no queue entry to write and remove, no claim
         * of their own, about half the statements per branch. They go to idle workers at once and otherwise wait in
         * memory, at most this many, for the next worker to finish a step: while any wait, a worker whose commit
         * readies no step of its own runs one of them next instead of taking one from the queue.
         *
         * <p>The price is the one of every prefetch: a claimed step's lease runs while it waits, so another process's
         * idle workers cannot take it, and if this process dies the step waits for its lease to run out before
         * another process runs it. A step that starts more than half the engine's lease margin after its claim first
         * has its lease extended to a whole one, and is not started if it moved on meanwhile (its run cancelled, or
         * taken over once its lease ran out). Worth it for fan-outs of short steps; leave it at 0 for steps that run
         * for minutes.
         */
        public Builder prefetch(int value) {
            this.prefetch = value;
            return this;
        }

        /** The lease owner name (default {@code dispatcher-<pid>-<n>-<random>}). */
        public Builder owner(String value) {
            this.owner = value;
            return this;
        }

        /** Told when a worker thread died and was replaced (default: nobody); give it the engine's observer. */
        public Builder observer(EngineObserver value) {
            this.observer = Objects.requireNonNull(value, "observer");
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid setting */
        public Dispatcher build() {
            if (owner == null || owner.isBlank()) {
                throw new IllegalArgumentException("owner must not be blank");
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, was " + workers);
            }
            if (batchSize < 0) {
                throw new IllegalArgumentException(
                        "batchSize must be positive (or 0 for the number of workers), was " + batchSize);
            }
            if (prefetch < 0) {
                throw new IllegalArgumentException("prefetch must be zero or positive, was " + prefetch);
            }
            if (prefetch > 0 && transport != null) {
                throw new IllegalArgumentException(
                        "prefetch applies to the local transport only; " + transport.describe() + " was set");
            }
            requirePositive(pollInterval, "pollInterval");
            requirePositive(sweepInterval, "sweepInterval");
            if (shutdownGrace == null || shutdownGrace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must be zero or positive, was " + shutdownGrace);
            }
            return new Dispatcher(this);
        }

        private static void requirePositive(Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
        }
    }
}
