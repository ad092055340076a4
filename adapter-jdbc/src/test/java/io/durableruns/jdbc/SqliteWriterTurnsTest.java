package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.out.RunStore.TransactionWork;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On SQLite, a transaction a caller waits for (a run's creation, a cancel, a retry) does not queue behind every
 * dispatcher transaction waiting for the single writer: it goes next.
 */
class SqliteWriterTurnsTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;

    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    private static RunRecord run(int n) {
        return new RunRecord(
                String.format("run_%026d", n),
                "g",
                1,
                RunStatus.QUEUED,
                JsonNodeFactory.instance.objectNode(),
                null,
                null,
                1,
                T0,
                T0,
                null);
    }

    @Test
    void an_interactive_transaction_commits_before_background_ones_queued_earlier() throws Exception {
        try (JdbcRunStore store = JdbcRunStore.sqlite(dir.resolve("runs.db"), JdbcOptions.defaults())) {
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> holder = CompletableFuture.runAsync(
                    () -> store.inTransaction(tx -> {
                        tx.runs().insert(run(0));
                        holding.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return null;
                    }),
                    callers);
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();

            List<CompletableFuture<Void>> queued = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                int number = n;
                queued.add(queue(callers, store, false, tx -> {
                    order.add("worker-" + number);
                    tx.runs().insert(run(number));
                    return null;
                }));
            }
            queued.add(queue(callers, store, true, tx -> {
                order.add("create");
                tx.runs().insert(run(4));
                return null;
            }));

            release.countDown();
            holder.get(30, TimeUnit.SECONDS);
            for (CompletableFuture<Void> f : queued) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(order).containsExactly("create", "worker-1", "worker-2", "worker-3");
            for (int n = 0; n <= 4; n++) {
                String id = run(n).id();
                Optional<RunRecord> committed = store.read(tx -> tx.runs().find(id));
                assertThat(committed).as(id).isPresent();
            }
        }
    }

    /** Starts the transaction on a thread of its own and returns once it waits for the writer. */
    private static CompletableFuture<Void> queue(
            ExecutorService callers, JdbcRunStore store, boolean interactive, TransactionWork<Void> work) {
        int before = store.writersWaiting();
        CompletableFuture<Void> f = CompletableFuture.runAsync(
                () -> {
                    if (interactive) {
                        store.inInteractiveTransaction(work);
                    } else {
                        store.inTransaction(work);
                    }
                },
                callers);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.writersWaiting() == before) {
            assertThat(System.nanoTime()).as("the transaction never queued").isLessThan(deadline);
            Thread.onSpinWait();
        }
        return f;
    }
}
