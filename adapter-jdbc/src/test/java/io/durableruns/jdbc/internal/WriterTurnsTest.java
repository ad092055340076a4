package io.durableruns.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durableruns.ports.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order of turns at a single writer. Each test holds the writer with a first transaction until the others are
 * queued behind it (one at a time, so their order in each queue is known), then lets it go.
 */
class WriterTurnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final List<String> order = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        callers.shutdownNow();
    }

    /** Takes the writer and keeps it until {@link #release}; returns once it holds it. */
    private CompletableFuture<Void> hold(WriterTurns turns) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(
                () -> turns.run(false, () -> {
                    holding.countDown();
                    await(release);
                    return null;
                }),
                callers);
        assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return holder;
    }

    /** Queues a transaction that records its name, and returns once it waits for its turn. */
    private CompletableFuture<Void> queue(WriterTurns turns, String name, boolean interactive) throws Exception {
        int before = turns.waiting();
        CompletableFuture<Void> f = CompletableFuture.runAsync(
                () -> turns.run(interactive, () -> {
                    order.add(name);
                    return null;
                }),
                callers);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (turns.waiting() == before) {
            assertThat(System.nanoTime()).as("%s never queued", name).isLessThan(deadline);
            Thread.onSpinWait();
        }
        return f;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void an_interactive_transaction_goes_before_background_ones_queued_earlier_and_then_they_take_turns()
            throws Exception {
        WriterTurns turns = new WriterTurns(1, WAIT);
        CompletableFuture<Void> holder = hold(turns);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        all.add(queue(turns, "worker-1", false));
        all.add(queue(turns, "worker-2", false));
        all.add(queue(turns, "worker-3", false));
        all.add(queue(turns, "create-1", true));
        all.add(queue(turns, "create-2", true));

        release.countDown();
        holder.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        for (CompletableFuture<Void> f : all) {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(order).containsExactly("create-1", "worker-1", "create-2", "worker-2", "worker-3");
        assertThat(turns.waiting()).isZero();
    }

    @Test
    void background_transactions_are_not_starved_by_a_stream_of_interactive_ones() throws Exception {
        WriterTurns turns = new WriterTurns(1, WAIT);
        CompletableFuture<Void> holder = hold(turns);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        all.add(queue(turns, "worker-1", false));
        for (int i = 1; i <= 4; i++) {
            all.add(queue(turns, "create-" + i, true));
        }
        all.add(queue(turns, "worker-2", false));

        release.countDown();
        holder.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        for (CompletableFuture<Void> f : all) {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(order).containsExactly("create-1", "worker-1", "create-2", "worker-2", "create-3", "create-4");
    }

    @Test
    void a_background_transaction_that_waited_its_starvation_time_gets_the_writer_before_a_worker_that_asks_again()
            throws Exception {
        // Starving at once: the first background waiter is handed the writer whenever it comes free.
        WriterTurns turns = new WriterTurns(1, WAIT, Duration.ZERO);
        CountDownLatch holding = new CountDownLatch(1);
        // A worker that commits again and again: it asks for the writer again the moment it gives it back.
        CompletableFuture<Void> busyWorker = CompletableFuture.runAsync(
                () -> {
                    turns.run(false, () -> {
                        holding.countDown();
                        await(release);
                        return null;
                    });
                    turns.run(false, () -> order.add("busy worker again"));
                },
                callers);
        assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> waiter = queue(turns, "waiting worker", false);

        release.countDown();
        busyWorker.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(order).containsExactly("waiting worker", "busy worker again");
        assertThat(turns.waiting()).isZero();
    }

    @Test
    void background_waiters_handed_the_writer_take_it_in_the_order_they_came() throws Exception {
        WriterTurns turns = new WriterTurns(1, WAIT, Duration.ZERO);
        CompletableFuture<Void> holder = hold(turns);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            all.add(queue(turns, "worker-" + i, false));
        }

        release.countDown();
        holder.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        for (CompletableFuture<Void> f : all) {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(order).containsExactly("worker-1", "worker-2", "worker-3", "worker-4", "worker-5");
    }

    @Test
    void a_transaction_that_throws_gives_its_turn_on() throws Exception {
        WriterTurns turns = new WriterTurns(1, WAIT);
        assertThatThrownBy(() -> turns.run(true, () -> {
                    throw new IllegalStateException("boom");
                }))
                .hasMessage("boom");
        CompletableFuture<Void> holder = hold(turns);
        CompletableFuture<Void> next = queue(turns, "next", false);
        release.countDown();
        holder.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        next.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(order).containsExactly("next");
    }

    @Test
    void a_transaction_that_waits_longer_than_the_timeout_fails_transiently_and_leaves_the_queue() throws Exception {
        WriterTurns turns = new WriterTurns(1, Duration.ofMillis(50));
        CompletableFuture<Void> holder = hold(turns);

        assertThatThrownBy(() -> turns.run(true, () -> order.add("late")))
                .isInstanceOfSatisfying(
                        StoreException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessageContaining("SQLite writer");
        assertThat(turns.waiting()).isZero();
        assertThat(order).isEmpty();

        release.countDown();
        holder.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(turns.run(false, () -> "free again")).isEqualTo("free again");
    }

    @Test
    void a_background_transaction_that_times_out_leaves_the_queue_and_the_writer_goes_to_the_next() throws Exception {
        WriterTurns turns = new WriterTurns(1, Duration.ofMillis(50));
        CompletableFuture<Void> holder = hold(turns);

        assertThatThrownBy(() -> turns.run(false, () -> order.add("late")))
                .isInstanceOfSatisfying(
                        StoreException.class, e -> assertThat(e.isTransient()).isTrue());
        assertThat(turns.waiting()).isZero();

        release.countDown();
        holder.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(turns.run(true, () -> "interactive, free again")).isEqualTo("interactive, free again");
        assertThat(order).isEmpty();
    }

    @Test
    void as_many_transactions_as_there_are_writers_hold_a_turn_at_once() throws Exception {
        WriterTurns turns = new WriterTurns(2, WAIT);
        CompletableFuture<Void> first = hold(turns);
        CompletableFuture<Void> second = hold(turns);
        assertThat(turns.waiting()).isZero();
        CompletableFuture<Void> third = queue(turns, "third", false);
        assertThat(third).isNotDone();
        release.countDown();
        first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        second.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        third.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(order).containsExactly("third");
    }
}
