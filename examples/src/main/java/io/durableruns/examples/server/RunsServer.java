package io.durableruns.examples.server;

import io.durableruns.core.dispatch.Dispatcher;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.examples.graphs.DemoGraphs;
import io.durableruns.http.MicrometerEngineObserver;
import io.durableruns.http.RunsHttpServer;
import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import io.durableruns.qstash.QStashConfig;
import io.durableruns.qstash.QStashEmulator;
import io.durableruns.qstash.QStashTransport;
import io.durableruns.qstash.QStashVerifier;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
            MicrometerEngineObserver observer = new MicrometerEngineObserver(meters);
            QStashTransport qstashTransport = qstash == null
                    ? null
                    : QStashTransport.newBuilder().config(qstash).build();
            Dispatcher.Builder dispatcherBuilder = Dispatcher.builder()
                    .workers(config.workers())
                    .observer(observer)
                    .wakeSource(store);
            if (qstashTransport != null) {
                dispatcherBuilder.transport(qstashTransport);
            } else {
                dispatcherBuilder.prefetch(config.prefetch());
            }
            Dispatcher dispatcher = dispatcherBuilder.build();
            RunEngine.Builder engineBuilder = RunEngine.builder()
                    .store(store)
                    .registry(registry)
                    .observer(observer)
                    .dispatchSignal(dispatcher);
            engineOptions.accept(engineBuilder);
            engine = engineBuilder.build();
            closeables.add(0, dispatcher);
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
                    .readiness(() -> store.readiness().ready() && (qstashTransport == null || qstashTransport.ready()))
                    .queueDepth(() -> store.read(tx -> tx.intents().count()))
                    .meterRegistry(meters)
                    .build();
            closeables.add(0, http);
            http.start();
            // After the HTTP API is up: a push transport's first messages come straight back to it.
            dispatcher.start(engine);
            logSummary(config, registry, dispatch(qstashTransport, config));
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

    private static String dispatch(QStashTransport qstash, ServerConfig config) {
        return qstash == null ? "local dispatcher, " + config.workers() + " workers" : qstash.describe();
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
