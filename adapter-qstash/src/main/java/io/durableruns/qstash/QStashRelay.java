package io.durableruns.qstash;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.ports.in.GraphCatalogUseCase;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.GraphDescription;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.StepDescription;
import io.durableruns.ports.out.DispatchSignal;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import io.durableruns.qstash.QStashPublisher.Kind;
import io.durableruns.qstash.QStashPublisher.Message;
import io.durableruns.qstash.QStashPublisher.Published;
import io.durableruns.qstash.QStashPublisher.Response;
import io.durableruns.qstash.internal.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays dispatch intents from the run store (the transactional outbox) to QStash. One pass, in one store
 * transaction: lock the oldest intents ({@code FOR UPDATE SKIP LOCKED}, so concurrent relays never take the
 * same ones), publish them (one {@code /v2/publish}, or one {@code /v2/batch} when several are ready), then
 * delete the accepted ones. A crash between publishing and deleting publishes again later with the same
 * {@code Upstash-Deduplication-Id} (the intent id), and QStash drops the duplicate.
 *
 * <p>Each message goes to {@link QStashConfig#stepUrl()} with the JSON body
 * {@code {"runId":"run_...","step":"plan","graph":"research","version":3}}, {@code Upstash-Retries} and
 * {@code Upstash-Retry-Delay} from the step's retry policy, {@code Upstash-Timeout} from its timeout,
 * {@code Upstash-Not-Before} when the intent is due later, and {@code Upstash-Failure-Callback} =
 * {@link QStashConfig#failureUrl()}.
 *
 * <p>Answers: 2xx (including 202 for a duplicate) deletes the intent; 429 waits for the reset headers; 5xx
 * and network errors back off exponentially; other 4xx (400, 401, 403, ...) are configuration errors,
 * logged once with a clear message (never the token), and the intents stay pending.
 *
 * <p>The relay thread wakes when told by the engine ({@link #intentsCommitted}) and otherwise polls.
 *
 * <pre>{@code
 * QStashRelay relay = QStashRelay.newBuilder()
 *         .config(QStashConfig.fromEnvironment(System.getenv()))
 *         .store(store)
 *         .catalog(engine)
 *         .build()
 *         .start();
 * // pass `relay` to the engine as its DispatchSignal; close it on shutdown
 * }</pre>
 */
public final class QStashRelay implements DispatchSignal, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QStashRelay.class);

    /** The most messages QStash accepts in one batch request. */
    public static final int MAX_BATCH_SIZE = 100;

    private final QStashConfig config;
    private final RunStore store;
    private final GraphCatalogUseCase catalog;
    private final QStashPublisher publisher;
    private final Clock clock;
    private final int batchSize;
    private final Duration pollInterval;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Duration rejectedPause;
    private final int extraRetries;
    private final Duration timeoutMargin;
    private final Map<GraphVersionRef, GraphDescription> graphs = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock passLock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean signalled;
    private volatile boolean running;
    private Thread thread;

    private volatile Instant pausedUntil = Instant.MIN;
    private Duration backoff;
    private boolean rejectionLogged;
    private boolean unreachableLogged;

    private QStashRelay(Builder b) {
        this.config = Objects.requireNonNull(b.config, "config");
        this.store = Objects.requireNonNull(b.store, "store");
        this.catalog = Objects.requireNonNull(b.catalog, "catalog");
        this.publisher = b.publisher != null ? b.publisher : new QStashPublisher(config);
        this.clock = b.clock;
        this.batchSize = b.batchSize;
        this.pollInterval = b.pollInterval;
        this.minBackoff = b.minBackoff;
        this.maxBackoff = b.maxBackoff;
        this.rejectedPause = b.rejectedPause;
        this.extraRetries = b.extraRetries;
        this.timeoutMargin = b.timeoutMargin;
        this.backoff = minBackoff;
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** Starts the relay thread; returns this relay. */
    public QStashRelay start() {
        lock.lock();
        try {
            if (thread != null) {
                throw new IllegalStateException("the relay is already started");
            }
            running = true;
            thread = new Thread(this::loop, "qstash-relay");
            thread.setDaemon(true);
            thread.start();
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** Wakes the relay thread; called by the engine after a commit that wrote intents. Never throws. */
    @Override
    public void intentsCommitted(Instant earliestDue) {
        lock.lock();
        try {
            signalled = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs one pass now, on the calling thread (the relay thread does this in a loop): publishes up to the
     * batch size of the oldest intents and deletes those QStash accepted. Does nothing while paused after a
     * failure. Never throws.
     *
     * @return how many intents were handed over to QStash and deleted
     */
    public int relayOnce() {
        passLock.lock();
        try {
            Instant now = clock.instant();
            if (now.isBefore(pausedUntil)) {
                return 0;
            }
            Pass pass;
            try {
                pass = store.inTransaction(this::publishOldest);
            } catch (RuntimeException e) {
                LOG.warn(
                        "Relaying dispatch intents to QStash failed ({}); they stay in the outbox and are published"
                                + " again",
                        e.toString());
                pause(nextBackoff());
                return 0;
            }
            afterPass(pass);
            return pass.deleted();
        } finally {
            passLock.unlock();
        }
    }

    private Pass publishOldest(StoreTransaction tx) {
        List<DispatchIntent> intents = tx.intents().lockOldest(batchSize);
        if (intents.isEmpty()) {
            return Pass.EMPTY;
        }
        Instant now = clock.instant();
        List<String> orphans = new ArrayList<>();
        List<DispatchIntent> sending = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        for (DispatchIntent intent : intents) {
            Optional<RunRecord> run = tx.runs().find(intent.runId());
            if (run.isEmpty()) {
                orphans.add(intent.id());
                continue;
            }
            sending.add(intent);
            messages.add(message(intent, run.get(), now));
        }
        List<String> done = new ArrayList<>(orphans);
        Response response = null;
        List<String> rejectedEntries = new ArrayList<>();
        if (!messages.isEmpty()) {
            response = messages.size() == 1 ? publisher.publish(messages.get(0)) : publisher.batch(messages);
            if (response.kind() == Kind.ACCEPTED) {
                for (int i = 0; i < sending.size(); i++) {
                    Published p = i < response.published().size()
                            ? response.published().get(i)
                            : null;
                    if (p != null && p.accepted()) {
                        done.add(sending.get(i).id());
                    } else {
                        rejectedEntries.add(sending.get(i).id() + ": " + (p == null ? "no answer" : p.error()));
                    }
                }
            }
        }
        if (!done.isEmpty()) {
            tx.intents().delete(done);
        }
        if (!orphans.isEmpty()) {
            LOG.warn("Dropped {} dispatch intent(s) whose run no longer exists: {}", orphans.size(), orphans);
        }
        return new Pass(intents.size(), done.size(), response, rejectedEntries);
    }

    private Message message(DispatchIntent intent, RunRecord run, Instant now) {
        StepDescription step = graph(run.graph(), run.version())
                .flatMap(g -> g.step(intent.step()))
                .orElse(null);
        if (step == null) {
            LOG.warn(
                    "Step '{}' of graph {} v{} is not registered here; publishing run {} with QStash's default retries",
                    intent.step(),
                    run.graph(),
                    run.version(),
                    run.id());
        }
        ObjectNode body = Json.object()
                .put("runId", intent.runId())
                .put("step", intent.step())
                .put("graph", run.graph())
                .put("version", run.version());
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("serialising a step message failed, which indicates a bug", e);
        }
        Map<String, String> headers = StepMessageHeaders.forStep(
                intent.id(), intent.dueAt(), now, step, config.failureUrl(), extraRetries, timeoutMargin);
        return new Message(config.stepUrl(), bytes, headers);
    }

    private Optional<GraphDescription> graph(String name, int version) {
        GraphVersionRef ref = new GraphVersionRef(name, version);
        GraphDescription known = graphs.get(ref);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<GraphDescription> found = catalog.graph(name, version);
        found.ifPresent(g -> graphs.put(ref, g));
        return found;
    }

    private void afterPass(Pass pass) {
        Response r = pass.response();
        if (r == null) {
            return;
        }
        switch (r.kind()) {
            case ACCEPTED -> {
                if (pass.rejectedEntries().isEmpty()) {
                    recovered();
                } else {
                    rejected(
                            r.status(),
                            "QStash refused " + pass.rejectedEntries().size() + " message(s) of a batch: "
                                    + pass.rejectedEntries());
                }
            }
            case RATE_LIMITED -> {
                Instant now = clock.instant();
                Instant until = r.retryAt(now).orElse(now.plus(nextBackoff()));
                LOG.info("QStash rate limit reached (429); publishing again at {}", until);
                pausedUntil = until;
            }
            case RETRYABLE -> {
                Duration wait = nextBackoff();
                if (!unreachableLogged) {
                    LOG.warn(
                            "Publishing to QStash at {} failed ({}{}); retrying with backoff, the intents stay pending",
                            config.qstashUrl(),
                            r.status() == 0 ? "" : "HTTP " + r.status() + ": ",
                            r.error());
                    unreachableLogged = true;
                } else {
                    LOG.debug("Publishing to QStash failed again ({}); next try in {}", r.error(), wait);
                }
                pause(wait);
            }
            case REJECTED -> rejected(r.status(), "HTTP " + r.status() + ": " + r.error());
        }
    }

    private void rejected(int status, String detail) {
        if (!rejectionLogged) {
            LOG.error(
                    "QStash at {} refused to publish step messages ({}). {} The intents stay pending and are published"
                            + " once this is fixed.",
                    config.qstashUrl(),
                    detail,
                    hint(status));
            rejectionLogged = true;
        }
        pause(rejectedPause);
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> "Check QSTASH_TOKEN (and QSTASH_URL: a token only works with its own region).";
            case 403 -> "The token is not allowed to publish: check QSTASH_TOKEN and the plan's limits.";
            case 412 -> "A limit of the QStash plan was exceeded (for example the maximum retries or message size).";
            default ->
                "Check RUNS_PUBLIC_URL (it must be a public http(s) URL QStash can reach) and the retry policies.";
        };
    }

    private void recovered() {
        if (rejectionLogged || unreachableLogged) {
            LOG.info("Publishing to QStash works again");
        }
        rejectionLogged = false;
        unreachableLogged = false;
        backoff = minBackoff;
        pausedUntil = Instant.MIN;
    }

    private Duration nextBackoff() {
        Duration current = backoff;
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
        return current;
    }

    private void pause(Duration d) {
        pausedUntil = clock.instant().plus(d);
    }

    private void loop() {
        while (running) {
            int handed = relayOnce();
            if (handed >= batchSize) {
                continue;
            }
            await();
        }
    }

    private void await() {
        lock.lock();
        try {
            Instant now = clock.instant();
            Duration wait = pollInterval;
            if (now.isBefore(pausedUntil)) {
                Duration untilResume = Duration.between(now, pausedUntil);
                wait = untilResume.compareTo(wait) > 0 ? untilResume : wait;
                signalled = false;
            }
            long nanos = Math.max(1, wait.toNanos());
            while (running && !signalled && nanos > 0) {
                nanos = wake.awaitNanos(nanos);
            }
            signalled = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the relay thread, waiting for a pass in progress to finish. Intents not published stay in the store. */
    @Override
    public void close() {
        Thread t;
        lock.lock();
        try {
            running = false;
            wake.signalAll();
            t = thread;
        } finally {
            lock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(40));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Pass(int locked, int deleted, Response response, List<String> rejectedEntries) {
        static final Pass EMPTY = new Pass(0, 0, null, List.of());
    }

    /** Builds a {@link QStashRelay}: config, store and catalog are required; the rest has defaults. */
    public static final class Builder {
        private QStashConfig config;
        private RunStore store;
        private GraphCatalogUseCase catalog;
        private QStashPublisher publisher;
        private Clock clock = Clock.systemUTC();
        private int batchSize = 50;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration minBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(1);
        private Duration rejectedPause = Duration.ofSeconds(30);
        private int extraRetries;
        private Duration timeoutMargin = Duration.ofSeconds(5);

        private Builder() {}

        public Builder config(QStashConfig value) {
            this.config = value;
            return this;
        }

        /** The store whose intents are relayed. */
        public Builder store(RunStore value) {
            this.store = value;
            return this;
        }

        /** The registered graphs, to find each step's retry policy and timeout. */
        public Builder catalog(GraphCatalogUseCase value) {
            this.catalog = value;
            return this;
        }

        /** The publisher to use (default: one built from the config with the JDK HTTP client). */
        public Builder publisher(QStashPublisher value) {
            this.publisher = value;
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Intents per pass, 1 to 100 (default 50); several ready intents go in one batch request. */
        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /** How often the relay looks for intents when nobody signals (default 1 s). */
        public Builder pollInterval(Duration value) {
            this.pollInterval = value;
            return this;
        }

        /** First and longest wait after 5xx or network errors (default 1 s doubling up to 1 min). */
        public Builder backoff(Duration min, Duration max) {
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /** The wait after a configuration error (400, 401, 403, ...) before trying again (default 30 s). */
        public Builder rejectedPause(Duration value) {
            this.rejectedPause = value;
            return this;
        }

        /**
         * Redeliveries added to every message on top of {@code maxAttempts - 1} (default 0), to ride out
         * transport failures that are not attempts of the step, such as a server restart.
         */
        public Builder extraRetries(int value) {
            this.extraRetries = value;
            return this;
        }

        /** Added to a step's timeout to make {@code Upstash-Timeout} (default 5 s). */
        public Builder timeoutMargin(Duration value) {
            this.timeoutMargin = value;
            return this;
        }

        /** @throws QStashConfigurationException naming the first invalid setting */
        public QStashRelay build() {
            if (config == null) {
                throw new QStashConfigurationException(
                        "config", "the relay needs a QStashConfig (QSTASH_URL, QSTASH_TOKEN," + " RUNS_PUBLIC_URL)");
            }
            if (store == null || catalog == null) {
                throw new QStashConfigurationException(
                        store == null ? "store" : "catalog", "the relay needs the run store and the graph catalog");
            }
            if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
                throw new QStashConfigurationException(
                        "batchSize", "batchSize must be 1 to " + MAX_BATCH_SIZE + ", was " + batchSize);
            }
            requirePositive("pollInterval", pollInterval);
            requirePositive("minBackoff", minBackoff);
            requirePositive("maxBackoff", maxBackoff);
            requirePositive("rejectedPause", rejectedPause);
            if (maxBackoff.compareTo(minBackoff) < 0) {
                throw new QStashConfigurationException("maxBackoff", "maxBackoff must not be shorter than minBackoff");
            }
            if (extraRetries < 0) {
                throw new QStashConfigurationException("extraRetries", "extraRetries must not be negative");
            }
            if (timeoutMargin == null || timeoutMargin.isNegative()) {
                throw new QStashConfigurationException("timeoutMargin", "timeoutMargin must not be negative");
            }
            return new QStashRelay(this);
        }

        private static void requirePositive(String field, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new QStashConfigurationException(field, field + " must be positive, was " + d);
            }
        }
    }
}
