package io.durableruns.examples.dispatch;

import io.durableruns.core.dispatch.Dispatcher;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.http.RunsHttpServer;
import io.durableruns.jdbc.JdbcRunStore;
import io.durableruns.qstash.QStashConfig;
import io.durableruns.qstash.QStashEmulator;
import io.durableruns.qstash.QStashTransport;
import io.durableruns.qstash.QStashVerifier;
import java.io.IOException;
import java.net.ServerSocket;

/**
 * The QStash transport: the dispatcher publishes intents to the local emulator, which delivers every message twice
 * and in random order to the HTTP API of this process, where the engine runs the step.
 */
final class QStashHarness implements DispatcherContract.Harness {
    private final JdbcRunStore store;
    private final QStashEmulator emulator;
    private final int port;
    private final DispatcherContract.Options options;
    private final GraphRegistry registry;
    private final Dispatcher dispatcher;
    private final RunEngine engine;
    private final RunsHttpServer server;

    static QStashHarness open(JdbcRunStore store, DispatcherContract.Options options, GraphRegistry registry)
            throws IOException {
        QStashEmulator emulator = QStashEmulator.newBuilder()
                .port(0)
                .duplicateDeliveries(true)
                .randomOrder(true)
                .seed(17)
                .start();
        return new QStashHarness(store, emulator, freePort(), options, registry);
    }

    private QStashHarness(
            JdbcRunStore store,
            QStashEmulator emulator,
            int port,
            DispatcherContract.Options options,
            GraphRegistry registry) {
        this.store = store;
        this.emulator = emulator;
        this.port = port;
        this.options = options;
        this.registry = registry;
        QStashConfig config = emulator.config("http://127.0.0.1:" + port);
        this.dispatcher = Dispatcher.builder()
                .transport(QStashTransport.newBuilder().config(config).build())
                .workers(options.workers())
                .pollInterval(DispatcherContract.NEVER)
                .sweepInterval(options.sweepInterval())
                .build();
        this.engine = options.engine(store, registry, dispatcher);
        this.server = RunsHttpServer.builder()
                .operations(engine)
                .verifier(QStashVerifier.forStepEndpoint(config))
                .failureCallbackVerifier(QStashVerifier.forFailureCallback(config))
                .port(port)
                .build()
                .start();
        dispatcher.start(engine);
    }

    @Override
    public RunEngine engine() {
        return engine;
    }

    @Override
    public DispatcherContract.Harness restart() {
        dispatcher.close();
        server.close();
        return new QStashHarness(store, emulator, port, options, registry);
    }

    @Override
    public void close() {
        dispatcher.close();
        server.close();
        emulator.close();
        store.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
