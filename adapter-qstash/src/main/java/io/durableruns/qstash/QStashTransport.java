package io.durableruns.qstash;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.ports.in.DispatchUseCases;
import io.durableruns.ports.model.GraphDescription;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.OutboundStep;
import io.durableruns.ports.model.StepDescription;
import io.durableruns.ports.out.DispatchTransport;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QStash transport of the dispatch runtime: publishes the run store's dispatch intents (the outbox) to QStash,
 * which delivers each step to {@link QStashConfig#stepUrl()}, where the HTTP API runs it. Each attempt of a step is
 * its own message: a retry is a new intent, published at once with {@code Upstash-Not-Before} at the end of its
 * backoff and deduplicated by the intent id, so QStash's own redeliveries ({@code Upstash-Retries}) only cover
 * transport failures and never spend a step's attempts.
 *
 * <p>No network call happens inside a database transaction: intents are taken under a short lease in a
 * transaction that commits first ({@code OutboxUseCase.takeToPublish}), published on a dispatcher worker, then
 * deleted. A crash after publishing leaves the lease to run out; the intent is then published again under the
 * same {@code Upstash-Deduplication-Id}, and QStash drops the duplicate.
 *
 * <p>Answers: 2xx deletes the intents (a batch entry QStash refused is set aside on its own); 429 waits for the
 * reset; 5xx and network errors back off exponentially; 401 and 403 are configuration errors: the transport stops
 * publishing for a while, logs an error each time and reports itself not ready; any other 4xx refuses that
 * message for good: the intent is set aside and its step fails with the reason, so one bad message never blocks
 * the others.
 *
 * <pre>{@code
 * QStashConfig config = QStashConfig.fromEnvironment(System.getenv());
 * Dispatcher dispatcher = Dispatcher.builder().transport(QStashTransport.newBuilder().config(config).build()).build();
 * RunEngine engine = RunEngine.builder().store(store).registry(registry).dispatchSignal(dispatcher).build();
 * dispatcher.start(engine);
 * }</pre>
 */
public final class QStashTransport implements DispatchTransport {
    private static final Logger LOG = LoggerFactory.getLogger(QStashTransport.class);

    /** The most messages QStash accepts in one batch request. */
    public static final int MAX_BATCH_SIZE = 100;

    private final QStashConfig config;
    private final QStashPublisher publisher;
    private final Clock clock;
    private final int batchSize;
    private final Duration lease;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Duration rejectedPause;
    private final int transportRetries;
    private final Duration timeoutMargin;
    private final Map<GraphVersionRef, Optional<GraphDescription>> graphs = new ConcurrentHashMap<>();

    private String owner;
    private DispatchUseCases engine;
    private Wakeup wakeup;
    private Instant pausedUntil = Instant.MIN;
    private Duration backoff;
    private boolean unreachableLogged;
    private String configurationError;

    private QStashTransport(Builder b) {
        this.config = b.config;
        this.publisher = b.publisher != null ? b.publisher : new QStashPublisher(config);
        this.clock = b.clock;
        this.batchSize = b.batchSize;
        this.lease = b.lease;
        this.minBackoff = b.minBackoff;
        this.maxBackoff = b.maxBackoff;
        this.rejectedPause = b.rejectedPause;
        this.transportRetries = b.transportRetries;
        this.timeoutMargin = b.timeoutMargin;
        this.backoff = minBackoff;
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    @Override
    public void bind(String ownerName, DispatchUseCases useCases, Wakeup wakeupAt) {
        this.owner = Objects.requireNonNull(ownerName, "owner");
        this.engine = Objects.requireNonNull(useCases, "engine");
        this.wakeup = Objects.requireNonNull(wakeupAt, "wakeup");
    }

    /** Every intent is work at once: QStash holds a message until its {@code Upstash-Not-Before}. */
    @Override
    public Instant workAt(Instant due) {
        return Instant.EPOCH;
    }

    @Override
    public List<Task> take(int max) {
        if (clock.instant().isBefore(pausedUntil())) {
            return List.of();
        }
        List<OutboundStep> steps = engine.takeToPublish(owner, lease, max * batchSize);
        List<Task> tasks = new ArrayList<>();
        for (int from = 0; from < steps.size(); from += batchSize) {
            tasks.add(new Publish(List.copyOf(steps.subList(from, Math.min(steps.size(), from + batchSize)))));
        }
        return tasks;
    }

    @Override
    public Optional<Instant> nextDueAt() {
        Instant paused = pausedUntil();
        if (clock.instant().isBefore(paused)) {
            return Optional.of(paused);
        }
        return engine.nextPublishAt();
    }

    @Override
    public String describe() {
        return "QStash at " + config.qstashUrl() + ", steps delivered to " + config.stepUrl();
    }

    /**
     * Whether publishing works as far as this transport knows: false while QStash refuses the credentials (401,
     * 403), with the reason in {@link #configurationError()}.
     */
    public synchronized boolean ready() {
        return configurationError == null;
    }

    /** What QStash said when it last refused the configuration, if it does now. */
    public synchronized Optional<String> configurationError() {
        return Optional.ofNullable(configurationError);
    }

    /** Publishes one batch of steps and reports each outcome to the outbox. */
    private final class Publish implements Task {
        private final List<OutboundStep> steps;

        Publish(List<OutboundStep> steps) {
            this.steps = steps;
        }

        @Override
        public Optional<Task> run() {
            publish(steps);
            return Optional.empty();
        }

        @Override
        public void giveBack() {
            engine.publishLater(ids(steps), clock.instant());
        }
    }

    private void publish(List<OutboundStep> steps) {
        Instant now = clock.instant();
        List<Message> messages = steps.stream().map(s -> message(s, now)).toList();
        Response response = messages.size() == 1 ? publisher.publish(messages.get(0)) : publisher.batch(messages);
        switch (response.kind()) {
            case ACCEPTED -> accepted(steps, response);
            case RATE_LIMITED -> {
                Instant until = response.retryAt(now).orElse(now.plus(nextBackoff()));
                LOG.info("QStash rate limit reached (429); publishing again at {}", until);
                pause(until);
                later(steps, until);
            }
            case RETRYABLE -> {
                Duration wait = nextBackoff();
                if (markUnreachable()) {
                    LOG.warn(
                            "Publishing to QStash at {} failed ({}{}); retrying with backoff, the intents stay pending",
                            config.qstashUrl(),
                            response.status() == 0 ? "" : "HTTP " + response.status() + ": ",
                            response.error());
                } else {
                    LOG.debug("Publishing to QStash failed again ({}); next try in {}", response.error(), wait);
                }
                later(steps, now.plus(wait));
            }
            case REJECTED -> rejected(steps, response);
        }
    }

    private void accepted(List<OutboundStep> steps, Response response) {
        List<String> published = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Published p = i < response.published().size() ? response.published().get(i) : null;
            if (p != null && p.accepted()) {
                published.add(steps.get(i).intentId());
            } else {
                refuse(steps.get(i), "QStash refused the message: " + (p == null ? "no answer" : p.error()));
            }
        }
        engine.published(published);
        recovered();
    }

    private void rejected(List<OutboundStep> steps, Response response) {
        int status = response.status();
        if (status == 401 || status == 403) {
            String error = "QStash at " + config.qstashUrl() + " refused the credentials (HTTP " + status + ": "
                    + response.error() + "). " + hint(status);
            LOG.error("{} Publishing stops for {} s; the intents stay pending.", error, rejectedPause.toSeconds());
            synchronized (this) {
                configurationError = error;
            }
            Instant retry = clock.instant().plus(rejectedPause);
            pause(retry);
            later(steps, retry);
            return;
        }
        if (steps.size() > 1) {
            // A whole batch refused: publish its messages one by one, so only the bad one is set aside.
            steps.forEach(step -> publish(List.of(step)));
            return;
        }
        refuse(steps.get(0), "HTTP " + status + ": " + response.error() + ". " + hint(status));
    }

    private void refuse(OutboundStep step, String reason) {
        LOG.error(
                "QStash refused the message of step '{}' of run {} (attempt {}): {}; the step fails with this reason",
                step.step(),
                step.runId(),
                step.attempt(),
                reason);
        engine.refused(step.intentId(), reason);
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> "Check QSTASH_TOKEN (and QSTASH_URL: a token only works with its own region).";
            case 403 -> "The token is not allowed to publish: check QSTASH_TOKEN and the plan's limits.";
            case 412 -> "A limit of the QStash plan was exceeded (for example the delay, retries or message size).";
            default -> "Check RUNS_PUBLIC_URL (a public http(s) URL QStash can reach) and the step's settings.";
        };
    }

    private Message message(OutboundStep step, Instant now) {
        StepDescription definition = graph(step.graph(), step.version())
                .flatMap(g -> g.step(step.step()))
                .orElse(null);
        ObjectNode body = Json.object()
                .put("runId", step.runId())
                .put("step", step.step())
                .put("attempt", step.attempt())
                .put("graph", step.graph())
                .put("version", step.version());
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("serialising a step message failed, which indicates a bug", e);
        }
        Map<String, String> headers = StepMessageHeaders.forStep(
                step.intentId(), step.dueAt(), now, definition, config.failureUrl(), transportRetries, timeoutMargin);
        return new Message(config.stepUrl(), bytes, headers);
    }

    private Optional<GraphDescription> graph(String name, int version) {
        return graphs.computeIfAbsent(new GraphVersionRef(name, version), ref -> engine.graph(name, version));
    }

    /** Leaves the steps' intents in the outbox until {@code at}, and has the runtime look again then. */
    private void later(List<OutboundStep> steps, Instant at) {
        engine.publishLater(ids(steps), at);
        wakeup.at(at);
    }

    private static List<String> ids(List<OutboundStep> steps) {
        return steps.stream().map(OutboundStep::intentId).toList();
    }

    private synchronized Instant pausedUntil() {
        return pausedUntil;
    }

    private synchronized void pause(Instant until) {
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
        }
    }

    private synchronized boolean markUnreachable() {
        boolean first = !unreachableLogged;
        unreachableLogged = true;
        return first;
    }

    private synchronized void recovered() {
        if (unreachableLogged || configurationError != null) {
            LOG.info("Publishing to QStash works again");
        }
        unreachableLogged = false;
        configurationError = null;
        backoff = minBackoff;
    }

    private synchronized Duration nextBackoff() {
        Duration current = backoff;
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
        return current;
    }

    /** Builds a {@link QStashTransport}: the config is required; the rest has defaults. */
    public static final class Builder {
        private QStashConfig config;
        private QStashPublisher publisher;
        private Clock clock = Clock.systemUTC();
        private int batchSize = 50;
        private Duration lease = Duration.ofSeconds(60);
        private Duration minBackoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration rejectedPause = Duration.ofSeconds(30);
        private int transportRetries = 5;
        private Duration timeoutMargin = Duration.ofSeconds(5);

        private Builder() {}

        public Builder config(QStashConfig value) {
            this.config = value;
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

        /** Messages per publish request, 1 to 100 (default 50); several go in one batch request. */
        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /**
         * How long taken intents stay leased while they are published (default 60 s): a relay that died after
         * publishing republishes them after this, within QStash's deduplication window of about 10 minutes.
         */
        public Builder lease(Duration value) {
            this.lease = value;
            return this;
        }

        /** First and longest wait after 5xx or network errors (default 250 ms doubling up to 30 s). */
        public Builder backoff(Duration min, Duration max) {
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /** The wait after QStash refused the credentials (401, 403) before trying again (default 30 s). */
        public Builder rejectedPause(Duration value) {
            this.rejectedPause = value;
            return this;
        }

        /**
         * {@code Upstash-Retries} of every message (default 5): how often QStash redelivers a message our server
         * did not acknowledge (down, restarting, store unavailable). They never count as attempts of the step;
         * when they run out, the failure callback counts the attempt as undelivered and the step is retried by
         * its own policy.
         */
        public Builder transportRetries(int value) {
            this.transportRetries = value;
            return this;
        }

        /** Added to a step's timeout to make {@code Upstash-Timeout} (default 5 s). */
        public Builder timeoutMargin(Duration value) {
            this.timeoutMargin = value;
            return this;
        }

        /** @throws QStashConfigurationException naming the first invalid setting */
        public QStashTransport build() {
            if (config == null) {
                throw new QStashConfigurationException(
                        "config", "the transport needs a QStashConfig (QSTASH_URL, QSTASH_TOKEN, RUNS_PUBLIC_URL)");
            }
            if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
                throw new QStashConfigurationException(
                        "batchSize", "batchSize must be 1 to " + MAX_BATCH_SIZE + ", was " + batchSize);
            }
            requirePositive("lease", lease);
            requirePositive("minBackoff", minBackoff);
            requirePositive("maxBackoff", maxBackoff);
            requirePositive("rejectedPause", rejectedPause);
            if (maxBackoff.compareTo(minBackoff) < 0) {
                throw new QStashConfigurationException("maxBackoff", "maxBackoff must not be shorter than minBackoff");
            }
            if (lease.compareTo(Duration.ofMinutes(9)) > 0) {
                throw new QStashConfigurationException(
                        "lease", "lease must be at most 9 minutes, inside QStash's deduplication window");
            }
            if (transportRetries < 0) {
                throw new QStashConfigurationException("transportRetries", "transportRetries must not be negative");
            }
            if (timeoutMargin == null || timeoutMargin.isNegative()) {
                throw new QStashConfigurationException("timeoutMargin", "timeoutMargin must not be negative");
            }
            return new QStashTransport(this);
        }

        private static void requirePositive(String field, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new QStashConfigurationException(field, field + " must be positive, was " + d);
            }
        }
    }
}
