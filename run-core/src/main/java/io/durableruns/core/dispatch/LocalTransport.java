package io.durableruns.core.dispatch;

import io.durableruns.ports.in.DispatchUseCases;
import io.durableruns.ports.in.StepWorkerUseCase;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.out.DispatchTransport;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The local transport: the dispatcher's workers claim due steps from the store (the intents are the queue) and run
 * them in this process; a worker whose commit claimed the next step runs it at once. Any number of processes can
 * share one PostgreSQL store this way: claims skip rows others hold, and each lease's fencing token keeps a stale
 * executor from committing.
 */
final class LocalTransport implements DispatchTransport {
    private String owner;
    private StepWorkerUseCase worker;

    @Override
    public void bind(String ownerName, DispatchUseCases engine, Wakeup wakeup) {
        this.owner = ownerName;
        this.worker = engine;
    }

    @Override
    public List<Task> take(int max) {
        return worker.claimDue(owner, max).stream().map(this::task).toList();
    }

    @Override
    public Optional<Instant> nextDueAt() {
        return worker.nextDueAt();
    }

    @Override
    public String describe() {
        return "local workers";
    }

    private Task task(StepLease lease) {
        return new Task() {
            @Override
            public Optional<Task> run() {
                return worker.work(lease, true).next().map(LocalTransport.this::task);
            }

            @Override
            public void giveBack() {
                worker.release(lease);
            }
        };
    }
}
