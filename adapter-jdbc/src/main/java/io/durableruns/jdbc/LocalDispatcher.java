package io.durableruns.jdbc;

import io.durableruns.jdbc.internal.DispatcherCore;
import io.durableruns.jdbc.internal.IntentListener;
import io.durableruns.ports.in.StepWorkerUseCase;
import io.durableruns.ports.in.SweepUseCase;
import io.durableruns.ports.out.DispatchSignal;
import io.durableruns.ports.out.EngineObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs steps in this process: worker threads claim due steps from the database and execute them, so that no queue
 * service is needed. Give it to the engine as its {@link DispatchSignal}: a commit that makes a step ready then wakes
 * an idle worker at once; a worker that completes a step runs the successor the engine claimed for it in the same
 * transaction. Retries are intents due later, which a timer picks up; a slow poll is only a safety net.
 *
 * <p>With {@link Builder#listenTo} on a PostgreSQL store, the dispatcher also wakes when other processes commit
 * intents ({@code LISTEN/NOTIFY}). Any number of dispatchers, in any number of processes, can share one PostgreSQL
 * database: claims skip rows locked by others, and the fencing token of each lease keeps a stale executor from
 * committing.
 *
 * <pre>{@code
 * LocalDispatcher dispatcher = LocalDispatcher.builder().workers(8).listenTo(store).build();
 * RunEngine engine = RunEngine.builder().store(store).registry(registry).dispatchSignal(dispatcher).build();
 * dispatcher.start(engine, engine);
 * ...
 * dispatcher.close(); // stops claiming, lets running steps finish within the grace period
 * }</pre>
 */
public final class LocalDispatcher implements DispatchSignal, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalDispatcher.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final DispatcherCore core;
    private final DispatcherCore.Settings settings;
    private final IntentListener listener;
    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final AtomicInteger state = new AtomicInteger(NEW);

    private LocalDispatcher(Builder builder) {
        this.settings = new DispatcherCore.Settings(
                builder.owner,
                builder.workers,
                builder.batchSize == 0 ? builder.workers : builder.batchSize,
                builder.pollInterval,
                builder.sweepInterval,
                builder.shutdownGrace,
                builder.observer);
        this.core = new DispatcherCore(settings);
        this.listener = builder.store == null ? null : builder.store.intentListener(core::intentsUnknown);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the workers, the fetcher, the sweeper and (on PostgreSQL) the listener. Call once, after the engine
     * was built with this dispatcher as its {@link DispatchSignal}.
     *
     * @param worker claims and runs steps (the engine)
     * @param sweeper recovers expired leases and stranded steps (the engine)
     */
    public LocalDispatcher start(StepWorkerUseCase worker, SweepUseCase sweeper) {
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(sweeper, "sweeper");
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException("a LocalDispatcher starts once; this one was already started or closed");
        }
        core.start(worker, sweeper);
        if (listener != null) {
            listener.start();
        }
        LOG.info(
                "Local dispatcher {} started: {} workers, poll every {} ms, sweep every {} ms",
                settings.owner(),
                settings.workers(),
                settings.pollInterval().toMillis(),
                settings.sweepInterval().toMillis());
        return this;
    }

    /** Wakes a worker when intents are due now, or sets a timer for later ones. Fast; never throws. */
    @Override
    public void intentsCommitted(Instant earliestDue) {
        core.intentsDue(earliestDue == null ? Instant.EPOCH : earliestDue);
    }

    /**
     * How many worker threads died and were replaced since the start. A worker survives whatever a step's handler
     * throws (it is a failed attempt); only an engine failure such as an {@link OutOfMemoryError} outside the
     * handler ends its thread, and a new one takes its place at once.
     */
    public long workersReplaced() {
        return core.workersReplaced();
    }

    /** The owner name written into the leases this dispatcher takes. */
    public String owner() {
        return settings.owner();
    }

    /**
     * Stops claiming, gives back the leases no worker started, lets running steps finish within the shutdown grace,
     * and interrupts the workers still running after it (their leases expire and the sweeper of another dispatcher,
     * or of the next start, recovers them). Idempotent.
     */
    @Override
    public void close() {
        int previous = state.getAndSet(CLOSED);
        if (previous == CLOSED) {
            return;
        }
        if (previous == STARTED) {
            core.stop();
        }
        if (listener != null) {
            listener.close();
        }
        if (previous == STARTED) {
            LOG.info("Local dispatcher {} stopped", settings.owner());
        }
    }

    /** Configures a {@link LocalDispatcher}; every setting has a default. */
    public static final class Builder {
        private String owner = "local-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        private int workers = 8;
        private int batchSize;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration sweepInterval = Duration.ofSeconds(10);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private JdbcRunStore store;
        private EngineObserver observer = EngineObserver.NONE;

        private Builder() {}

        /** How many steps run at once (default 8). */
        public Builder workers(int value) {
            this.workers = value;
            return this;
        }

        /** The most leases one claim takes (default: the number of workers). */
        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /** How often idle workers look for due steps nobody signalled (default 1 s); a safety net only. */
        public Builder pollInterval(Duration value) {
            this.pollInterval = value;
            return this;
        }

        /** How often expired leases and stranded steps are recovered (default 10 s). */
        public Builder sweepInterval(Duration value) {
            this.sweepInterval = value;
            return this;
        }

        /** How long {@link #close()} waits for running steps before interrupting them (default 30 s). */
        public Builder shutdownGrace(Duration value) {
            this.shutdownGrace = value;
            return this;
        }

        /** Told when a worker thread died and was replaced (default: nobody); give it the engine's observer. */
        public Builder observer(EngineObserver value) {
            this.observer = Objects.requireNonNull(value, "observer");
            return this;
        }

        /** The lease owner name (default {@code local-<pid>-<n>-<random>}). */
        public Builder owner(String value) {
            this.owner = value;
            return this;
        }

        /**
         * Also wake when other processes commit intents into this PostgreSQL store: {@code LISTEN} on a connection
         * of the store's pool, held while the dispatcher runs (size the pool for it: workers that are committing,
         * the fetcher, the sweeper, and this one). Without effect on SQLite.
         */
        public Builder listenTo(JdbcRunStore value) {
            this.store = Objects.requireNonNull(value, "store");
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid setting */
        public LocalDispatcher build() {
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
            requirePositive(pollInterval, "pollInterval");
            requirePositive(sweepInterval, "sweepInterval");
            if (shutdownGrace == null || shutdownGrace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must be zero or positive, was " + shutdownGrace);
            }
            return new LocalDispatcher(this);
        }

        private static void requirePositive(Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
        }
    }
}
