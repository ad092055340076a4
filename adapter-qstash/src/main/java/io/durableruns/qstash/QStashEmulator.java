package io.durableruns.qstash;

import com.sun.net.httpserver.HttpServer;
import io.durableruns.qstash.internal.EmulatorCore;
import io.durableruns.qstash.internal.EmulatorHttpHandler;
import io.durableruns.qstash.internal.EmulatorSettings;
import io.durableruns.qstash.internal.QStashDurations;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local QStash: the same REST API and the same delivery behaviour, for offline development and tests.
 * It accepts {@code POST /v2/publish/{destination}}, {@code POST /v2/batch}, {@code GET /v2/keys},
 * {@code GET}/{@code DELETE /v2/messages/{id}} and {@code GET /v2/dlq} (bearer token), and delivers each
 * message like QStash: signed with {@link QStashSigner} (every claim), {@code Upstash-Message-Id} stable
 * across redeliveries, {@code Upstash-Retried} 0, 1, 2..., {@code User-Agent: Upstash-QStash}, the original
 * {@code Content-Type} and body, {@code Upstash-Forward-*} headers without the prefix; retried per
 * {@code Upstash-Retries} (default 3) with QStash's backoff {@code min(86400, e^(2.5 n))} s or the message's
 * {@code Upstash-Retry-Delay}, honouring {@code Retry-After}; 489 with {@code Upstash-NonRetryable-Error:
 * true} or the last failed retry moves it to the DLQ and calls the failure callback; deduplication ids,
 * content-based deduplication, {@code Upstash-Delay} and {@code Upstash-Not-Before} (at most 365 days
 * ahead, the longest delay QStash accepts; further is a 400). A publish it refuses keeps nothing, and a
 * message it cannot send at all is dead-lettered like one whose retries ran out.
 *
 * <p>By default it listens on {@code 127.0.0.1:8080} with Upstash's public development credentials, like
 * Upstash's own dev server. For tests, start it on port 0 with a small {@linkplain Builder#timeScale time
 * scale} so that backoffs take milliseconds, and use the fault injection options.
 *
 * <pre>{@code
 * try (QStashEmulator qstash = QStashEmulator.newBuilder().port(0).timeScale(0.001).start()) {
 *     QStashConfig config = QStashConfig.newBuilder()
 *             .qstashUrl(qstash.url().toString()).token(qstash.token())
 *             .currentSigningKey(qstash.currentSigningKey()).nextSigningKey(qstash.nextSigningKey())
 *             .publicUrl("http://127.0.0.1:7070").build();
 *     ...
 *     qstash.awaitIdle(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * From the command line: {@code qstash-dev [--port 8080] [--time-scale 1] ...}; see {@link #run(String[])}.
 */
public final class QStashEmulator implements AutoCloseable {
    /** Upstash's public, development-only token, as printed by its dev server. */
    public static final String DEV_TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=";
    /** Upstash's public, development-only current signing key. */
    public static final String DEV_CURRENT_SIGNING_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
    /** Upstash's public, development-only next signing key. */
    public static final String DEV_NEXT_SIGNING_KEY = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs";

    public static final int DEFAULT_PORT = 8080;

    private final EmulatorSettings settings;
    private final EmulatorCore core;
    private final HttpServer server;
    private final ThreadPoolExecutor serverExecutor;
    private final URI url;
    private volatile boolean closed;

    private QStashEmulator(EmulatorSettings settings) {
        this.settings = settings;
        this.core = new EmulatorCore(settings);
        try {
            this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 128);
        } catch (IOException e) {
            core.close();
            throw new UncheckedIOException(
                    "the QStash emulator cannot listen on " + settings.host() + ":" + settings.port()
                            + " (is the port in use? choose another with --port)",
                    e);
        }
        AtomicInteger n = new AtomicInteger();
        this.serverExecutor = new ThreadPoolExecutor(
                4,
                4,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(256),
                r -> {
                    Thread t = new Thread(r, "qstash-emulator-api-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(serverExecutor);
        server.createContext("/", new EmulatorHttpHandler(core, settings));
        server.start();
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        if (host.equals("0.0.0.0") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        this.url = URI.create("http://" + host + ":" + server.getAddress().getPort());
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** The base URL to use as {@code QSTASH_URL}, e.g. {@code http://127.0.0.1:8080}. */
    public URI url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String token() {
        return settings.token();
    }

    public String currentSigningKey() {
        return settings.currentSigningKey();
    }

    public String nextSigningKey() {
        return settings.nextSigningKey();
    }

    /**
     * A configuration that publishes to this emulator, with its token and keys, for a server reachable at
     * {@code publicUrl}.
     */
    public QStashConfig config(String publicUrl) {
        return QStashConfig.newBuilder()
                .qstashUrl(url.toString())
                .token(token())
                .currentSigningKey(currentSigningKey())
                .nextSigningKey(nextSigningKey())
                .publicUrl(publicUrl)
                .build();
    }

    /** Counters since start, for tests and the console. */
    public Stats stats() {
        EmulatorCore.Counters c = core.counters();
        return new Stats(
                c.published(),
                c.deduplicated(),
                c.deliveries(),
                c.delivered(),
                c.deadLettered(),
                c.failedPublishes(),
                c.pending());
    }

    /**
     * Waits until every message (callbacks included) was delivered, dead-lettered or cancelled and no
     * delivery is in flight.
     *
     * @return false when {@code timeout} passed first
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return core.awaitIdle(timeout);
    }

    /** Stops listening and delivering; pending messages are dropped. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        core.close();
        serverExecutor.shutdownNow();
    }

    /**
     * Counters since start.
     *
     * @param published messages accepted (deduplicated ones excluded)
     * @param deduplicated publishes answered 202 as duplicates
     * @param deliveries HTTP requests made to destinations (retries and injected duplicates included)
     * @param delivered messages acknowledged with 2xx
     * @param deadLettered messages moved to the DLQ
     * @param failedPublishes publishes failed on purpose by fault injection
     * @param pending messages not yet delivered, dead-lettered or cancelled
     */
    public record Stats(
            long published,
            long deduplicated,
            long deliveries,
            long delivered,
            long deadLettered,
            long failedPublishes,
            int pending) {}

    /** The {@code qstash-dev} command: starts the emulator and runs until the JVM is stopped. */
    public static void main(String[] args) {
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * The {@code qstash-dev} subcommand: parses {@code args}, starts the emulator, prints its URL and
     * credentials, and blocks until the JVM shuts down (Ctrl-C).
     *
     * @return 0 after a normal shutdown, 2 for bad arguments, 1 when the emulator cannot start
     */
    public static int run(String[] args) {
        Builder builder;
        try {
            builder = EmulatorCli.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("qstash-dev: " + e.getMessage());
            System.err.println();
            EmulatorCli.usage(System.err);
            return 2;
        }
        if (builder == null) {
            EmulatorCli.usage(System.out);
            return 0;
        }
        QStashEmulator emulator;
        try {
            emulator = builder.start();
        } catch (RuntimeException e) {
            System.err.println("qstash-dev: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            emulator.close();
                            stopped.countDown();
                        },
                        "qstash-emulator-shutdown"));
        emulator.printBanner(System.out);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emulator.close();
        }
        return 0;
    }

    void printBanner(PrintStream out) {
        boolean devToken = settings.token().equals(DEV_TOKEN);
        boolean devKeys = settings.currentSigningKey().equals(DEV_CURRENT_SIGNING_KEY)
                && settings.nextSigningKey().equals(DEV_NEXT_SIGNING_KEY);
        out.println("QStash development server (emulator) is running at " + url);
        out.println();
        out.println("Use these credentials to publish and to verify deliveries:");
        out.println("QSTASH_URL=" + url);
        out.println("QSTASH_TOKEN=" + (devToken ? settings.token() : "(the token given with --token)"));
        out.println("QSTASH_CURRENT_SIGNING_KEY=" + (devKeys ? settings.currentSigningKey() : "(as given)"));
        out.println("QSTASH_NEXT_SIGNING_KEY=" + (devKeys ? settings.nextSigningKey() : "(as given)"));
        out.println();
        out.println("Sample cURL request:");
        out.println();
        out.println("curl -X POST " + url + "/v2/publish/https://example.com -H \"Authorization: Bearer "
                + (devToken ? settings.token() : "$QSTASH_TOKEN") + "\"");
        String faults = faults();
        if (!faults.isEmpty()) {
            out.println();
            out.println("Fault injection: " + faults);
        }
        if (settings.timeScale() != 1.0) {
            out.println("Time scale: " + settings.timeScale() + " (delays and backoffs are multiplied by it)");
        }
        out.flush();
    }

    private String faults() {
        StringBuilder sb = new StringBuilder();
        if (settings.duplicateDeliveries()) {
            sb.append("every message delivered twice; ");
        }
        if (settings.randomOrder()) {
            sb.append("random delivery order; ");
        }
        if (settings.failPublishFraction() > 0) {
            sb.append(String.format(
                    Locale.ROOT, "%.0f%% of publishes fail with 500; ", settings.failPublishFraction() * 100));
        }
        if (!settings.deliveryDelay().isZero()) {
            sb.append("deliveries delayed by ").append(settings.deliveryDelay()).append("; ");
        }
        return sb.toString().strip();
    }

    /** Builds and starts a {@link QStashEmulator}; every option has a default. */
    public static final class Builder {
        String host = "127.0.0.1";
        int port = DEFAULT_PORT;
        String token = DEV_TOKEN;
        String currentSigningKey = DEV_CURRENT_SIGNING_KEY;
        String nextSigningKey = DEV_NEXT_SIGNING_KEY;
        double timeScale = 1.0;
        Duration dedupWindow = Duration.ofMinutes(10);
        int defaultRetries = 3;
        int maxRetries = 100;
        Duration deliveryTimeout = Duration.ofMinutes(2);
        int deliveryThreads = 8;
        int maxPendingMessages = 10_000;
        int maxDlqMessages = 10_000;
        int maxBodyBytes = 1024 * 1024;
        boolean duplicateDeliveries;
        boolean randomOrder;
        double failPublishFraction;
        Duration deliveryDelay = Duration.ZERO;
        long seed = System.nanoTime();
        Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The address to listen on (default {@code 127.0.0.1}; {@code 0.0.0.0} for every interface). */
        public Builder host(String value) {
            this.host = Objects.requireNonNull(value, "host");
            return this;
        }

        /** The port (default 8080; 0 picks a free one, see {@link QStashEmulator#url()}). */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** The bearer token clients must send (default: Upstash's development token). */
        public Builder token(String value) {
            this.token = Objects.requireNonNull(value, "token");
            return this;
        }

        /** The signing keys (default: Upstash's development keys). Deliveries are signed with the current one. */
        public Builder signingKeys(String current, String next) {
            this.currentSigningKey = Objects.requireNonNull(current, "current");
            this.nextSigningKey = Objects.requireNonNull(next, "next");
            return this;
        }

        /** Factor applied to every wait QStash would make: delays, Not-Before, backoffs, Retry-After (default 1). */
        public Builder timeScale(double value) {
            this.timeScale = value;
            return this;
        }

        /** How long a deduplication id is remembered (default 10 min; not scaled). */
        public Builder dedupWindow(Duration value) {
            this.dedupWindow = Objects.requireNonNull(value, "dedupWindow");
            return this;
        }

        /** Retries of a message without {@code Upstash-Retries} (default 3). */
        public Builder defaultRetries(int value) {
            this.defaultRetries = value;
            return this;
        }

        /** The largest {@code Upstash-Retries} accepted; more is answered 400 (default 100). */
        public Builder maxRetries(int value) {
            this.maxRetries = value;
            return this;
        }

        /** The per-delivery HTTP timeout when the message has no {@code Upstash-Timeout} (default 2 min). */
        public Builder deliveryTimeout(Duration value) {
            this.deliveryTimeout = Objects.requireNonNull(value, "deliveryTimeout");
            return this;
        }

        /** How many deliveries run at once (default 8). */
        public Builder deliveryThreads(int value) {
            this.deliveryThreads = value;
            return this;
        }

        /** The most messages held at once; more publishes are answered 429 (default 10,000). */
        public Builder maxPendingMessages(int value) {
            this.maxPendingMessages = value;
            return this;
        }

        /** The largest message body accepted (default 1 MiB, QStash's limit). */
        public Builder maxBodyBytes(int value) {
            this.maxBodyBytes = value;
            return this;
        }

        /** Fault injection: deliver every message one extra time, concurrently or after its first delivery. */
        public Builder duplicateDeliveries(boolean value) {
            this.duplicateDeliveries = value;
            return this;
        }

        /** Fault injection: deliver due messages in random order. */
        public Builder randomOrder(boolean value) {
            this.randomOrder = value;
            return this;
        }

        /** Fault injection: answer this fraction (0 to 1) of publish and batch requests with 500. */
        public Builder failPublishFraction(double value) {
            this.failPublishFraction = value;
            return this;
        }

        /** Fault injection: wait this long before every delivery (not scaled). */
        public Builder deliveryDelay(Duration value) {
            this.deliveryDelay = Objects.requireNonNull(value, "deliveryDelay");
            return this;
        }

        /** The seed of the fault-injection randomness, to reproduce a run. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** The clock of signatures, {@code createdAt} and {@code Upstash-Not-Before} (default: system clock). */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Validates the options and starts listening.
         *
         * @throws IllegalArgumentException naming the first invalid option
         * @throws UncheckedIOException when the port cannot be bound
         */
        public QStashEmulator start() {
            require(port >= 0 && port <= 65535, "port must be 0 to 65535, was " + port);
            require(timeScale > 0 && !Double.isInfinite(timeScale), "time scale must be positive, was " + timeScale);
            require(!token.isBlank(), "token must not be blank");
            require(
                    currentSigningKey.length() >= QStashConfig.MIN_SIGNING_KEY_BYTES
                            && nextSigningKey.length() >= QStashConfig.MIN_SIGNING_KEY_BYTES,
                    "signing keys must be at least " + QStashConfig.MIN_SIGNING_KEY_BYTES + " characters long");
            require(
                    defaultRetries >= 0 && maxRetries >= defaultRetries,
                    "retries must satisfy 0 <= default retries <= max retries");
            require(deliveryThreads >= 1 && deliveryThreads <= 256, "delivery threads must be 1 to 256");
            require(maxPendingMessages >= 1, "max pending messages must be at least 1");
            require(maxBodyBytes >= 1, "max body bytes must be at least 1");
            require(failPublishFraction >= 0 && failPublishFraction <= 1, "fail publish fraction must be 0 to 1");
            require(
                    !deliveryDelay.isNegative()
                            && !dedupWindow.isNegative()
                            && !deliveryTimeout.isNegative()
                            && !deliveryTimeout.isZero(),
                    "durations must not be negative");
            require(deliveryTimeout.compareTo(QStashDurations.ONE_DAY) <= 0, "delivery timeout must be at most a day");
            return new QStashEmulator(new EmulatorSettings(
                    host,
                    port,
                    token,
                    currentSigningKey,
                    nextSigningKey,
                    timeScale,
                    dedupWindow,
                    defaultRetries,
                    maxRetries,
                    deliveryTimeout,
                    deliveryThreads,
                    maxPendingMessages,
                    maxDlqMessages,
                    maxBodyBytes,
                    duplicateDeliveries,
                    randomOrder,
                    failPublishFraction,
                    deliveryDelay,
                    seed,
                    clock));
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
