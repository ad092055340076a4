package io.durableruns.jdbc;

import io.durableruns.core.contract.RandomizedConcurrencyContract;
import io.durableruns.ports.out.RunStore;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The randomized concurrency test on PostgreSQL: two engines, each with a pool of its own, on one schema. */
class PostgresRandomizedConcurrencyTest extends RandomizedConcurrencyContract {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private List<RunStore> stores;

    @Override
    protected List<RunStore> stores() {
        if (stores == null) {
            stores = List.of(DATABASE.openStore(), DATABASE.openStore());
        }
        return stores;
    }
}
