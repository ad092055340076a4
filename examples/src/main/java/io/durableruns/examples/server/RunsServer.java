package io.durableruns.examples.server;

import io.durableruns.core.engine.RetryDelivery;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.examples.graphs.DemoGraphs;
import io.durableruns.http.MicrometerEngineObserver;
import io.durableruns.http.RunsHttpServer;
import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import io.durableruns.jdbc.LocalDispatcher;
import io.durableruns.ports.in.GraphCatalogUseCase;
import io.durableruns.ports.model.GraphDescription;
import io.durableruns.qstash.QStashConfig;
import io.durableruns.qstash.QStashEmulator;
import io.durableruns.qstash.QStashRelay;
import io.durableruns.qstash.QStashVerifier;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone server: the HTTP API over the engine, on SQLite with the local dispatcher by default, on
 * PostgreSQL and QStash by configuration (see {@link ServerConfig}). {@code qstash-dev} as the first argument
 * starts the local QStash emulator instead.
 *
 * <pre>{@code
 * java -jar examples/target/durable-runs-server.jar             # the server
 * java -jar examples/target/durable-runs-server.jar qstash-dev  # the QStash emulator
 * }</pre>
 */
public final class RunsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunsServer.class);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final RunsHttpServer http;
    private final RunEngine engine;
    private final JdbcRunStore store;

    private RunsServer(ServerConfig config, GraphRegistry registry, Consumer<RunEngine.Builder> engineOptions) {
        QStashConfig qstash = config.qstash() ? QStashConfig.fromEnvironment(config.environment()) : null;
        store = JdbcRunStore.fromUrl(config.databaseUrl(), storeOptions(config));
        closeables.add(store);
        try {
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            RunEngine.Builder engineBuilder =
                    RunEngine.builder().store(store).registry(registry).observer(new MicrometerEngineObserver(meters));
            engineOptions.accept(engineBuilder);
            String dispatch;
            if (qstash != null) {
                QStashRelay relay = QStashRelay.newBuilder()
                        .config(qstash)
                        .store(store)
                        .catalog(catalog(registry))
                        .build();
                engine = engineBuilder
                        .dispatchSignal(relay)
                        .retryDelivery(RetryDelivery.REDELIVERY)
                        .build();
                closeables.add(0, relay.start());
                closeables.add(0, sweeper(engine));
                dispatch = "QStash at " + qstash.qstashUrl() + ", steps delivered to " + qstash.stepUrl();
            } else {
                LocalDispatcher dispatcher = LocalDispatcher.builder()
                        .workers(config.workers())
                        .listenTo(store)
                        .build();
                engine = engineBuilder.dispatchSignal(dispatcher).build();
                closeables.add(0, dispatcher.start(engine, engine));
                dispatch = "local dispatcher, " + config.workers() + " workers";
            }
            RunsHttpServer.Builder httpBuilder = RunsHttpServer.builder();
            String publicUrl = config.environment().get("RUNS_PUBLIC_URL");
            if (publicUrl != null && !publicUrl.isBlank()) {
                // Behind a proxy that rewrites Host, the dashboard's own origin is the public URL's.
                httpBuilder.trustedOrigin(publicUrl.trim());
            }
            http = httpBuilder
                    .operations(engine)
                    .verifier(qstash == null ? null : QStashVerifier.forStepEndpoint(qstash))
                    .failureCallbackVerifier(qstash == null ? null : QStashVerifier.forFailureCallback(qstash))
                    .apiToken(config.apiToken())
                    .host(config.host())
                    .port(config.port())
                    .readiness(() -> store.readiness().ready())
                    .queueDepth(() -> store.read(tx -> tx.intents().count()))
                    .meterRegistry(meters)
                    .build();
            closeables.add(0, http);
            http.start();
            logSummary(config, registry, dispatch);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void logSummary(ServerConfig config, GraphRegistry registry, String dispatch) {
        log.info("Durable runs server listening on http://{}:{}", http.host(), http.port());
        log.info("  database : {}", config.redactedDatabaseUrl());
        log.info("  dispatch : {}", dispatch);
        log.info(
                "  graphs   : {}",
                registry.all().stream().map(g -> g.name() + " v" + g.version()).toList());
        log.info(
                "  api auth : {}",
                config.apiToken() == null ? "none (bound to 127.0.0.1 only; set RUNS_API_TOKEN)" : "bearer token");
        long sinceStart = System.currentTimeMillis()
                - ManagementFactory.getRuntimeMXBean().getStartTime();
        log.info("Ready in {} ms", sinceStart);
    }

    /**
     * On PostgreSQL, one connection per worker plus the dispatcher's fetcher and listener and a few for HTTP
     * requests, so that a busy dispatcher never makes the API wait for a connection. SQLite keeps the store's
     * single connection (one writer at a time).
     */
    static JdbcOptions storeOptions(ServerConfig config) {
        if (config.databaseUrl().startsWith("jdbc:sqlite:") || config.qstash()) {
            return JdbcOptions.defaults();
        }
        return JdbcOptions.newBuilder().maximumPoolSize(config.workers() + 6).build();
    }

    /** Starts a server with the demo graphs, configured from {@code env}. */
    public static RunsServer start(Map<String, String> env) {
        return start(env, DemoGraphs.registry(), b -> {});
    }

    /**
     * Starts a server with your graphs, configured from {@code env}; {@code engineOptions} may adjust the
     * engine (lease margin, clock) before it is built.
     */
    public static RunsServer start(
            Map<String, String> env, GraphRegistry registry, Consumer<RunEngine.Builder> engineOptions) {
        return new RunsServer(ServerConfig.fromEnvironment(env), registry, engineOptions);
    }

    public int port() {
        return http.port();
    }

    public RunEngine engine() {
        return engine;
    }

    private static GraphCatalogUseCase catalog(GraphRegistry registry) {
        return new GraphCatalogUseCase() {
            @Override
            public List<GraphDescription> graphs() {
                return registry.describe();
            }

            @Override
            public Optional<GraphDescription> graph(String name, int version) {
                return registry.find(name, version).map(g -> g.describe());
            }
        };
    }

    /** In QStash mode nothing else sweeps: recover expired leases and lost messages periodically. */
    private static AutoCloseable sweeper(RunEngine engine) {
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "durable-runs-sweeper");
            t.setDaemon(true);
            return t;
        });
        exec.scheduleWithFixedDelay(
                () -> {
                    try {
                        engine.sweep();
                    } catch (RuntimeException e) {
                        log.warn("Sweep failed; will try again", e);
                    }
                },
                10,
                15,
                TimeUnit.SECONDS);
        return () -> {
            exec.shutdownNow();
            exec.awaitTermination(5, TimeUnit.SECONDS);
        };
    }

    /** Stops accepting requests, lets running steps finish within the dispatcher's grace period, closes the store. */
    @Override
    public synchronized void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("Error while shutting down {}", c.getClass().getSimpleName(), e);
            }
        }
        closeables.clear();
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("qstash-dev")) {
            System.exit(QStashEmulator.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0) {
            System.err.println("usage: durable-runs-server [qstash-dev [emulator options]]");
            System.exit(2);
        }
        RunsServer server;
        try {
            server = start(System.getenv());
        } catch (RuntimeException e) {
            log.error("Could not start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        server.closeOnShutdown();
    }

    /**
     * Closes this server when the JVM is asked to stop (SIGTERM, SIGINT): running steps get the dispatcher's
     * grace period to finish, leases not started are released.
     */
    public RunsServer closeOnShutdown() {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("Shutting down: finishing running steps");
                            close();
                        },
                        "durable-runs-shutdown"));
        return this;
    }
}
