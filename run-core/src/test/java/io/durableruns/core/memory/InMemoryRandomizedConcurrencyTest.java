package io.durableruns.core.memory;

import io.durableruns.core.contract.RandomizedConcurrencyContract;
import io.durableruns.ports.out.RunStore;
import java.util.List;

/** The randomized concurrency test on the in-memory store. */
class InMemoryRandomizedConcurrencyTest extends RandomizedConcurrencyContract {
    private final RunStore store = new InMemoryRunStore();

    @Override
    protected List<RunStore> stores() {
        return List.of(store);
    }
}
