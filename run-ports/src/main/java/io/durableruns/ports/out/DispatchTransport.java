package io.durableruns.ports.out;

import io.durableruns.ports.in.DispatchUseCases;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How a dispatcher moves steps: the dispatch runtime of {@code run-core} (wake-ups, claim batching, worker
 * threads, timers, shutdown, the sweeper) drives one transport. The local transport claims due steps and runs
 * them on the runtime's workers; a push transport (QStash) takes intents to publish and publishes them on the
 * runtime's workers, and the queue delivers each step back over HTTP.
 *
 * <pre>{@code
 * Dispatcher dispatcher = Dispatcher.builder().transport(new QStashTransport(config)).build();
 * RunEngine engine = RunEngine.builder().store(store).registry(registry).dispatchSignal(dispatcher).build();
 * dispatcher.start(engine);
 * }</pre>
 */
public interface DispatchTransport {

    /**
     * Binds the transport to the engine, once, when the runtime starts; {@code owner} names this dispatcher. The
     * transport calls {@code wakeup} when it knows work will be due at a later time of its own making (a publish
     * to retry after a backoff), so the runtime sets a timer instead of waiting for its poll.
     */
    void bind(String owner, DispatchUseCases engine, Wakeup wakeup);

    /** Asks the runtime to look for work at a given time. */
    @FunctionalInterface
    interface Wakeup {
        void at(Instant when);
    }

    /**
     * Takes up to {@code max} units of work that are due now: each becomes a task on a worker thread. Runs on the
     * runtime's fetcher thread; may return fewer (or none) when less is due.
     */
    List<Task> take(int max);

    /** When the next unit of work falls due, if the transport knows (the runtime sets a timer for it). */
    Optional<Instant> nextDueAt();

    /**
     * When intents committed with the earliest due time {@code due} become work for this transport: the local
     * transport claims a step when it is due; a push transport publishes at once, ahead of the due time.
     */
    default Instant workAt(Instant due) {
        return due;
    }

    /** A name for logs, such as {@code local} or {@code QStash at https://qstash.upstash.io}. */
    String describe();

    /** One unit of work, run on a worker thread. */
    interface Task {
        /**
         * Does the work. Returns the task the same worker runs next without going back to the queue (a successor
         * the engine claimed in the same commit), if any. Whatever it throws is logged and the worker goes on.
         */
        Optional<Task> run();

        /** Gives the task back without running it (at shutdown), so another dispatcher can take it at once. */
        void giveBack();
    }
}
