package io.durableruns.examples.dispatch;

import io.durableruns.core.dispatch.Dispatcher;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.jdbc.JdbcRunStore;

/**
 * The local transport: the dispatcher's workers claim steps from the store and run them in this process, with a
 * prefetch when one is given ({@link Dispatcher.Builder#prefetch}).
 */
final class LocalHarness implements DispatcherContract.Harness {
    private final JdbcRunStore store;
    private final DispatcherContract.Options options;
    private final GraphRegistry registry;
    private final int prefetch;
    private final Dispatcher dispatcher;
    private final RunEngine engine;

    LocalHarness(JdbcRunStore store, DispatcherContract.Options options, GraphRegistry registry) {
        this(store, options, registry, 0);
    }

    LocalHarness(JdbcRunStore store, DispatcherContract.Options options, GraphRegistry registry, int prefetch) {
        this.store = store;
        this.options = options;
        this.registry = registry;
        this.prefetch = prefetch;
        this.dispatcher = Dispatcher.builder()
                .workers(options.workers())
                .prefetch(prefetch)
                .pollInterval(DispatcherContract.NEVER)
                .sweepInterval(options.sweepInterval())
                .wakeSource(store)
                .build();
        this.engine = options.engine(store, registry, dispatcher);
        dispatcher.start(engine);
    }

    @Override
    public RunEngine engine() {
        return engine;
    }

    @Override
    public DispatcherContract.Harness restart() {
        dispatcher.close();
        return new LocalHarness(store, options, registry, prefetch);
    }

    @Override
    public void close() {
        dispatcher.close();
        store.close();
    }
}
