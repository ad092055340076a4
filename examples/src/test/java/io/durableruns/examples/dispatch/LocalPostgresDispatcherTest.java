package io.durableruns.examples.dispatch;

import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.examples.e2e.TestPostgres;
import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;

/** The dispatcher contract with the local transport on PostgreSQL, in a schema of its own per test. */
class LocalPostgresDispatcherTest extends DispatcherContract {
    private String url;

    @Override
    protected Harness open(Options options, GraphRegistry registry) throws Exception {
        url = TestPostgres.freshSchemaUrl("dispatch");
        JdbcRunStore store = JdbcRunStore.fromUrl(
                url, JdbcOptions.newBuilder().maximumPoolSize(12).build());
        return new LocalHarness(store, options, registry, prefetch());
    }

    /** The dispatcher's prefetch ({@code Dispatcher.Builder#prefetch}): none here. */
    protected int prefetch() {
        return 0;
    }

    @Override
    protected void afterClose() throws Exception {
        if (url != null) {
            TestPostgres.dropSchemaOf(url);
        }
    }
}
