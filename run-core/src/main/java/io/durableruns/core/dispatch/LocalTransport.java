package io.durableruns.core.dispatch;

import io.durableruns.ports.in.DispatchUseCases;
import io.durableruns.ports.in.StepWorkerUseCase;
import io.durableruns.ports.in.WorkResult;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.out.DispatchTransport;
import java.time.Instant;
import java.util.ArrayList;
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
    private int prefetch;
    private DispatchThreads beyond;

    /**
     * Lets each commit claim up to {@code most} steps beyond its worker's next, for the runtime's other workers
     * ({@link Dispatcher.Builder#prefetch}). Call before the runtime starts.
     */
    void claimBeyond(int most, DispatchThreads runtime) {
        this.prefetch = most;
        this.beyond = runtime;
    }

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

    /**
     * Runs a step and returns the task of the next step its commit claimed for the worker. With a prefetch, the
     * commit may also claim more of the steps it readies, as room allows, for the runtime's other workers; and when
     * it readies no step for the worker while claimed steps wait in memory, the worker runs the first of them next
     * instead of taking one from the queue.
     */
    private Optional<Task> run(StepLease lease) {
        Prefetched prefetched = prefetch == 0 ? null : new Prefetched();
        List<Task> also = List.of();
        try {
            WorkResult result = prefetched == null ? worker.work(lease, true) : worker.work(lease, prefetched);
            also = result.alsoClaimed().stream().map(this::task).toList();
            Optional<Task> next = result.next().map(this::task);
            Task taken = prefetched == null ? null : prefetched.taken;
            if (next.isEmpty() || taken == null) {
                return next.or(() -> Optional.ofNullable(taken));
            }
            // Taken on a try of the commit that was rolled back; the one that committed readied a step instead.
            also = concat(also, taken);
            return next;
        } catch (RuntimeException e) {
            unsure = true;
            if (prefetched != null && prefetched.taken != null) {
                also = concat(also, prefetched.taken);
            }
            throw e;
        } finally {
            held.remove(lease);
            if (prefetched != null) {
                beyond.claimedBeyond(prefetched.reserved, also);
            }
        }
    }

    private static List<Task> concat(List<Task> tasks, Task one) {
        List<Task> out = new ArrayList<>(tasks);
        out.add(one);
        return out;
    }

    /** What the runtime holds for this dispatcher, as a commit asks for it: one worker's, for one commit. */
    private final class Prefetched implements StepWorkerUseCase.Prefetch {
        private Task taken;
        private int reserved;

        @Override
        public boolean nextFromQueue() {
            if (taken == null) {
                taken = beyond.takeHeld();
            }
            return taken == null;
        }

        @Override
        public int claimBeyond(int readiedBeyond) {
            int room = beyond.reserveBeyond(Math.min(readiedBeyond, prefetch));
            reserved += room;
            return room;
        }
    }

    private Task task(StepLease lease) {
        held.add(lease);
        return new Task() {
            @Override
            public Optional<Task> run() {
                return LocalTransport.this.run(lease);
            }

            @Override
            public void giveBack() {
                held.remove(lease);
                worker.release(lease);
            }
        };
    }
}
