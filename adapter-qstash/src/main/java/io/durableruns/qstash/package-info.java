/**
 * The QStash adapter: the QStash transport of the dispatch runtime (step messages published from a transactional
 * outbox, one message per attempt), strict verification of QStash's signatures, and a local QStash emulator.
 *
 * <ul>
 *   <li>{@link io.durableruns.qstash.QStashConfig}: settings from {@code QSTASH_URL}, {@code QSTASH_TOKEN},
 *       {@code QSTASH_CURRENT_SIGNING_KEY}, {@code QSTASH_NEXT_SIGNING_KEY} and {@code RUNS_PUBLIC_URL}.
 *   <li>{@link io.durableruns.qstash.QStashTransport}: publishes the engine's dispatch intents to QStash on the
 *       dispatcher's workers ({@link io.durableruns.qstash.QStashPublisher} makes the raw calls).
 *   <li>{@link io.durableruns.qstash.QStashVerifier}: the {@link io.durableruns.ports.in.MessageVerifier} of
 *       the job endpoints; {@link io.durableruns.qstash.QStashSigner} signs like QStash.
 *   <li>{@link io.durableruns.qstash.QStashEmulator}: a local QStash for development and tests, also the
 *       {@code qstash-dev} command.
 * </ul>
 *
 * <pre>{@code
 * QStashConfig config = QStashConfig.fromEnvironment(System.getenv());
 * Dispatcher dispatcher = Dispatcher.builder().transport(QStashTransport.newBuilder().config(config).build()).build();
 * RunEngine engine = RunEngine.builder().store(store).registry(registry).dispatchSignal(dispatcher).build();
 * dispatcher.start(engine);
 * MessageVerifier steps = QStashVerifier.forStepEndpoint(config);
 * MessageVerifier failures = QStashVerifier.forFailureCallback(config);
 * }</pre>
 */
package io.durableruns.qstash;
