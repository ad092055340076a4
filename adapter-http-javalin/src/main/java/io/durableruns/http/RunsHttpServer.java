package io.durableruns.http;

import io.durableruns.ports.in.MessageVerifier;
import io.durableruns.ports.in.RunOperations;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of the engine on Javalin: the runs dashboard ({@code /}), the management routes
 * ({@code /api/runs}, {@code /api/graphs}), the QStash job routes ({@code /api/jobs/run-step},
 * {@code /api/jobs/step-failed}), and {@code /healthz}, {@code /readyz} and {@code /metrics}.
 *
 * <pre>{@code
 * try (RunsHttpServer server = RunsHttpServer.builder()
 *         .operations(engine)
 *         .verifier(qstashVerifier)
 *         .apiToken(System.getenv("RUNS_API_TOKEN"))
 *         .meterRegistry(registry)
 *         .port(7070)
 *         .build()
 *         .start()) {
 *     System.out.println("listening on " + server.host() + ":" + server.port());
 *     ...
 * }
 * }</pre>
 *
 * <p>Without an API token the management routes are open, so the server then listens on {@code 127.0.0.1}
 * only, whatever host was asked for, and answers only requests for a loopback host name (421 otherwise), so
 * that a web page cannot reach it through DNS rebinding. Routes that change state need
 * {@code Content-Type: application/json} and, when the request has an {@code Origin}, the server's own origin or a
 * {@linkplain Builder#trustedOrigin trusted} one. Without a verifier the job routes are there all the same
 * and fail closed: every request to them is a 401, so an unsigned step request is refused whatever the configuration.
 */
public final class RunsHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunsHttpServer.class);

    /** The default limit of request bodies: 1 MiB. */
    public static final int DEFAULT_BODY_LIMIT = 1024 * 1024;

    private final HttpApiOptions options;
    private final Javalin app;
    private boolean started;
    private boolean closed;

    private RunsHttpServer(HttpApiOptions options) {
        this.options = options;
        this.app = Javalin.create(this::configure);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts listening. Returns once the port is bound.
     *
     * @throws HttpServerException when the server cannot bind its host and port
     */
    public synchronized RunsHttpServer start() {
        if (started) {
            throw new IllegalStateException("The server was already started; build a new one to start again");
        }
        started = true;
        try {
            app.start(options.host(), options.port());
        } catch (RuntimeException e) {
            throw new HttpServerException(
                    "Could not start the HTTP server on " + options.host() + ":" + options.port() + " ("
                            + e.getMessage() + "); choose a free port",
                    e);
        }
        LOG.info(
                "Runs HTTP API listening on http://{}:{}; management routes {}; step deliveries {}",
                options.host(),
                app.port(),
                options.apiToken() == null ? "open (no API token, so bound to 127.0.0.1 only)" : "need the API token",
                options.verifier() == null
                        ? "refused with 401 (no message verifier: no QStash signing keys configured)"
                        : "enabled, signatures verified");
        return this;
    }

    /** The port the server listens on (the actual one when 0 was configured). */
    public synchronized int port() {
        if (!started || closed) {
            throw new IllegalStateException("The server is not running; call start() first");
        }
        return app.port();
    }

    /** The host the server binds. */
    public String host() {
        return options.host();
    }

    /** Stops the server; requests in progress are finished first. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (started) {
            app.stop();
        }
    }

    private void configure(JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.maxRequestSize = options.bodyLimit();
        config.http.defaultContentType = Responses.JSON;
        config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));

        ApiMetrics metrics = new ApiMetrics(options.meterRegistry(), options.queueDepth());
        BearerAuth auth = new BearerAuth(options.apiToken());
        RequestGuards guards = new RequestGuards(options.apiToken() == null, options.trustedOrigins());
        RunRoutes runs = new RunRoutes(options.operations(), options.bodyLimit());
        OpsRoutes ops = new OpsRoutes(options.readiness(), options.meterRegistry());
        DashboardRoutes dashboard = new DashboardRoutes();

        var routes = config.routes;
        routes.exception(Exception.class, ExceptionResponses::handle);
        routes.exception(HttpResponseException.class, ExceptionResponses::handle);
        routes.before(RunsHttpServer::commonHeaders);
        routes.before(guards::checkHost);

        routes.get("/", dashboard::page);
        routes.get("/runs/{id}", dashboard::page);
        routes.get("/graphs", dashboard::page);
        routes.get("/assets/{file}", dashboard::asset);

        routes.post("/api/runs", auth.guard(guards.write(runs::create)));
        routes.post("/api/runs/batch", auth.guard(guards.write(runs::createBatch)));
        routes.get("/api/runs", auth.guard(runs::list));
        routes.get("/api/run-counts", auth.guard(runs::counts));
        routes.get("/api/runs/{id}", auth.guard(runs::get));
        routes.get("/api/runs/{id}/timeline", auth.guard(runs::timeline));
        routes.get("/api/runs/{id}/artifacts", auth.guard(runs::artifacts));
        routes.get("/api/runs/{id}/artifacts/{step}/{key}", auth.guard(runs::artifact));
        routes.get("/api/runs/{id}/tool-calls", auth.guard(runs::toolCalls));
        routes.post("/api/runs/{id}/retry", auth.guard(guards.write(runs::retry)));
        routes.post("/api/runs/{id}/cancel", auth.guard(guards.write(runs::cancel)));
        routes.get("/api/graphs", auth.guard(runs::graphs));

        JobRoutes jobs = new JobRoutes(
                options.operations(), options.verifier(), options.failureVerifier(), options.bodyLimit(), metrics);
        routes.post("/api/jobs/run-step", jobs::runStep);
        routes.post("/api/jobs/step-failed", jobs::stepFailed);

        routes.get("/healthz", ops::health);
        routes.get("/readyz", ops::ready);
        routes.get("/metrics", ops::metrics);
    }

    private static void commonHeaders(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-store");
        ctx.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    }

    /** Collects the settings of a {@link RunsHttpServer}; {@link #build()} checks them. */
    public static final class Builder {
        private RunOperations operations;
        private MessageVerifier verifier;
        private MessageVerifier failureVerifier;
        private String apiToken;
        private long bodyLimit = DEFAULT_BODY_LIMIT;
        private BooleanSupplier readiness = () -> true;
        private LongSupplier queueDepth;
        private PrometheusMeterRegistry meterRegistry;
        private String host;
        private int port = 7070;
        private final Set<String> trustedOrigins = new LinkedHashSet<>();

        private Builder() {}

        /** The engine's use cases (required). */
        public Builder operations(RunOperations operations) {
            this.operations = operations;
            return this;
        }

        /**
         * Checks {@code Upstash-Signature} on the job routes. Without one they refuse every request with 401
         * (fail closed), for example when the server dispatches locally and has no QStash signing keys.
         */
        public Builder verifier(MessageVerifier verifier) {
            this.verifier = verifier;
            return this;
        }

        /**
         * Checks the signatures of QStash failure callbacks, which QStash signs for the callback URL (default:
         * the {@linkplain #verifier delivery verifier}).
         */
        public Builder failureCallbackVerifier(MessageVerifier verifier) {
            this.failureVerifier = verifier;
            return this;
        }

        /**
         * The bearer token the management routes require. {@code null} or blank means none: the routes are
         * then open and the server binds {@code 127.0.0.1} only.
         */
        public Builder apiToken(String apiToken) {
            this.apiToken = apiToken;
            return this;
        }

        /** The largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
        public Builder bodyLimit(long bodyLimit) {
            this.bodyLimit = bodyLimit;
            return this;
        }

        /** Decides {@code GET /readyz} (for example: database reachable, migrations applied). */
        public Builder readiness(BooleanSupplier readiness) {
            this.readiness = readiness;
            return this;
        }

        /** The number of steps waiting to be delivered, published as the gauge {@code durableruns_queue_depth}. */
        public Builder queueDepth(LongSupplier queueDepth) {
            this.queueDepth = queueDepth;
            return this;
        }

        /**
         * The registry {@code GET /metrics} renders (default: a new one). Give the same registry to a
         * {@link MicrometerEngineObserver} to publish the engine's meters.
         */
        public Builder meterRegistry(PrometheusMeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /** The host to bind (default {@code 0.0.0.0}); ignored without an API token ({@code 127.0.0.1}). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port to listen on (default 7070; 0 picks a free one, see {@link RunsHttpServer#port()}). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * An origin, such as {@code https://runs.example.com}, whose pages may send state-changing requests
         * besides the server's own (the origin of the {@code Host} header). Give the public URL when a proxy in
         * front of the server rewrites {@code Host}; may be called more than once.
         *
         * @throws IllegalArgumentException when {@code origin} is not a {@code scheme://host[:port]} URL
         */
        public Builder trustedOrigin(String origin) {
            if (origin == null || RequestGuards.normalizeOrigin(origin) == null) {
                throw new IllegalArgumentException(
                        "trustedOrigin must be a URL such as https://runs.example.com, was '" + origin + "'");
            }
            trustedOrigins.add(origin);
            return this;
        }

        /**
         * Checks the settings and creates the server (not started yet).
         *
         * @throws IllegalArgumentException naming the first setting that is missing or out of range
         */
        public RunsHttpServer build() {
            if (operations == null) {
                throw new IllegalArgumentException("operations is required: pass the engine's RunOperations");
            }
            if (bodyLimit < 1 || bodyLimit > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(
                        "bodyLimit must be from 1 to " + (Integer.MAX_VALUE - 8) + " bytes, was " + bodyLimit);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be from 0 to 65535, was " + port);
            }
            if (host != null && host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank; omit it for the default");
            }
            Objects.requireNonNull(readiness, "readiness");
            String token = apiToken == null || apiToken.isBlank() ? null : apiToken.trim();
            String boundHost = host == null ? "0.0.0.0" : host;
            if (token == null) {
                if (host != null && !host.equals("127.0.0.1")) {
                    LOG.warn(
                            "No API token is set, so the management routes are open: binding 127.0.0.1 instead"
                                    + " of {}. Set an API token to accept remote requests.",
                            host);
                } else {
                    LOG.info("No API token is set, so the management routes are open: binding 127.0.0.1 only");
                }
                boundHost = "127.0.0.1";
            }
            PrometheusMeterRegistry registry =
                    meterRegistry == null ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : meterRegistry;
            return new RunsHttpServer(new HttpApiOptions(
                    operations,
                    verifier,
                    failureVerifier == null ? verifier : failureVerifier,
                    token,
                    (int) bodyLimit,
                    readiness,
                    queueDepth,
                    registry,
                    boundHost,
                    port,
                    Set.copyOf(trustedOrigins)));
        }
    }
}
