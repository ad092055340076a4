package io.durableruns.core.memory;

import io.durableruns.core.contract.RunStoreContract;
import io.durableruns.ports.out.RunStore;

class InMemoryRunStoreTest extends RunStoreContract {
    @Override
    protected RunStore newStore() {
        return new InMemoryRunStore();
    }
}
