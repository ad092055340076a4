package io.durableruns.core.dispatch;

import io.durableruns.ports.in.DispatchUseCases;
import io.durableruns.ports.in.StepWorkerUseCase;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.out.DispatchTransport;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local transport: the dispatcher's workers claim due steps from the store (the intents are the queue) and run
 * them in this process; a worker whose commit claimed the next step runs it at once. Any number of processes can
 * share one PostgreSQL store this way: claims skip rows others hold, and each lease's fencing token keeps a stale
 * executor from committing.
 *
 * <p>When a claim or a commit fails (the database restarted, the connection broke), the transaction may have
 * committed all the same, leaving steps leased to this dispatcher that no worker runs. The next take first gives
 * those back ({@link StepWorkerUseCase#releaseUnheld}), so they run again at once instead of after their leases.
 */
final class LocalTransport implements DispatchTransport {
    private final Set<StepLease> held = ConcurrentHashMap.newKeySet();
    private volatile boolean unsure;
    private String owner;
    private StepWorkerUseCase worker;

    @Override
    public void bind(String ownerName, DispatchUseCases engine, Wakeup wakeup) {
        this.owner = ownerName;
        this.worker = engine;
    }

    @Override
    public List<Task> take(int max) {
        if (unsure) {
            unsure = false;
            try {
                worker.releaseUnheld(owner, Set.copyOf(held));
            } catch (RuntimeException e) {
                unsure = true;
                throw e;
            }
        }
        List<StepLease> leases;
        try {
            leases = worker.claimDue(owner, max);
        } catch (RuntimeException e) {
            unsure = true;
            throw e;
        }
        return leases.stream().map(this::task).toList();
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
        held.add(lease);
        return new Task() {
            @Override
            public Optional<Task> run() {
                try {
                    return worker.work(lease, true).next().map(LocalTransport.this::task);
                } catch (RuntimeException e) {
                    unsure = true;
                    throw e;
                } finally {
                    held.remove(lease);
                }
            }

            @Override
            public void giveBack() {
                held.remove(lease);
                worker.release(lease);
            }
        };
    }
}
