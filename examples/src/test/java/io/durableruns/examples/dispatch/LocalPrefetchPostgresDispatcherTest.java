package io.durableruns.examples.dispatch;

/**
 * The dispatcher contract with the local transport on PostgreSQL, its commits claiming up to three readied steps
 * beyond their worker's own: claimed steps waiting in memory are run once, recovered after a crash and given back
 * at a shutdown like any other.
 */
class LocalPrefetchPostgresDispatcherTest extends LocalPostgresDispatcherTest {
    @Override
    protected int prefetch() {
        return 3;
    }
}
