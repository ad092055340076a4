package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.out.RunRepository;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Row-level races on PostgreSQL, with real threads on real connections. */
class PostgresConcurrencyTest {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");
    private static final int THREADS = 8;
    private static HikariDataSource strictPool;
    private static JdbcRunStore store;

    /**
     * The store runs on a pool whose connections default to REPEATABLE READ: the store must still work at READ
     * COMMITTED, where a row lock, not a snapshot, decides who sees what.
     */
    @BeforeAll
    static void openStoreOnAStrictPool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(DATABASE.url());
        config.setMaximumPoolSize(THREADS + 2);
        config.setConnectionInitSql("SET default_transaction_isolation TO 'repeatable read'");
        strictPool = new HikariDataSource(config);
        store = JdbcRunStore.postgres(
                strictPool, JdbcOptions.newBuilder().schema(DATABASE.schema()).build());
    }

    @AfterAll
    static void closePool() {
        store.close();
        strictPool.close();
    }

    private static String runId(int n) {
        return String.format("run_%026d", n);
    }

    @Test
    void each_join_becomes_ready_exactly_once_when_its_dependencies_complete_concurrently() throws Exception {
        int joins = 40;
        store.inTransaction(tx -> {
            for (int j = 0; j < joins; j++) {
                tx.runs()
                        .insert(new RunRecord(
                                runId(j),
                                "fan",
                                1,
                                RunStatus.RUNNING,
                                new ObjectMapper().createObjectNode(),
                                null,
                                null,
                                THREADS + 1,
                                T0,
                                T0,
                                null));
                tx.steps()
                        .insertAll(List.of(new StepRecord(
                                runId(j),
                                "join",
                                StepStatus.PENDING,
                                0,
                                0,
                                THREADS,
                                List.of(),
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                T0)));
            }
            return null;
        });
        Map<String, AtomicInteger> readied = new ConcurrentHashMap<>();
        runConcurrently(thread -> {
            for (int j = 0; j < joins; j++) {
                String id = runId(j);
                store.inTransaction(tx -> {
                    tx.runs().decrementSinksRemaining(id);
                    StepRecord join = tx.steps().decrementPendingDeps(id, "join");
                    if (join.pendingDeps() == 0) {
                        readied.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                });
            }
        });
        assertThat(readied).hasSize(joins);
        assertThat(readied.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        var steps = store.inTransaction(tx -> tx.steps().find(runId(0), "join").orElseThrow());
        assertThat(steps.pendingDeps()).isZero();
    }

    @Test
    void concurrent_claims_never_hand_one_intent_to_two_transactions() throws Exception {
        int total = 3000;
        store.inTransaction(tx -> {
            for (int r = 0; r < 50; r++) {
                tx.runs().insert(runRow(runId(100 + r)));
            }
            List<DispatchIntent> intents = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                intents.add(new DispatchIntent(
                        String.format("int_%026d", i), runId(100 + i % 50), "s", 1, T0.plusMillis(i), T0));
            }
            tx.intents().insertAll(intents);
            return null;
        });
        Map<String, Integer> claimedBy = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        // A claim may come back empty while intents are left: at that moment other claims hold every one of them
        // (SKIP LOCKED; a claim that passes over the intents of a run another transaction holds keeps their locks
        // until it ends). So a thread stops only once its claim is empty and no intent is left to any transaction.
        record Round(List<DispatchIntent> got, long left) {}
        runConcurrently(thread -> {
            Round round;
            do {
                round = store.inTransaction(tx -> {
                    List<DispatchIntent> batch = tx.intents().claimDue(T0.plusSeconds(3600), 16);
                    return new Round(batch, tx.intents().count());
                });
                for (DispatchIntent intent : round.got()) {
                    if (claimedBy.putIfAbsent(intent.id(), thread) != null) {
                        duplicates.incrementAndGet();
                    }
                }
            } while (!round.got().isEmpty() || round.left() > 0);
        });
        assertThat(duplicates).hasValue(0);
        assertThat(claimedBy).hasSize(total);
        assertThat(claimedBy.values().stream().distinct().count()).isGreaterThan(1);
        var left = store.inTransaction(tx -> tx.intents().count());
        assertThat(left).isZero();
    }

    @Test
    void a_claim_skips_the_intents_of_a_run_another_transaction_holds_and_takes_the_others() throws Exception {
        String held = runId(300);
        String free = runId(301);
        store.inTransaction(tx -> {
            tx.runs().insert(runRow(held));
            tx.runs().insert(runRow(free));
            tx.intents()
                    .insertAll(List.of(
                            new DispatchIntent("int_of_held_run", held, "s", 1, T0, T0),
                            new DispatchIntent("int_of_free_run", free, "s", 1, T0.plusMillis(1), T0)));
            return null;
        });
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> holder = pool.submit(() -> store.inTransaction(tx -> {
                tx.runs().lock(held);
                locked.countDown();
                await(done);
                return null;
            }));
            assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
            List<String> claimed = store.inTransaction(tx -> tx.intents().claimDue(T0.plusSeconds(1), 10).stream()
                    .map(DispatchIntent::id)
                    .toList());
            done.countDown();
            holder.get(30, TimeUnit.SECONDS);
            assertThat(claimed).containsExactly("int_of_free_run");
            List<String> afterwards = store.inTransaction(tx -> tx.intents().claimDue(T0.plusSeconds(1), 10).stream()
                    .map(DispatchIntent::id)
                    .toList());
            assertThat(afterwards).containsExactly("int_of_held_run");
        } finally {
            done.countDown();
            pool.shutdownNow();
        }
    }

    private static RunRecord runRow(String id) {
        return new RunRecord(
                id, "g", 1, RunStatus.RUNNING, new ObjectMapper().createObjectNode(), null, null, 1, T0, T0, null);
    }

    @Test
    void a_lease_skips_intents_another_transaction_is_leasing() throws Exception {
        store.inTransaction(tx -> {
            tx.intents()
                    .insertAll(List.of(
                            new DispatchIntent("int_held_1", runId(900), "s", 1, T0, T0),
                            new DispatchIntent("int_held_2", runId(900), "s", 1, T0, T0.plusMillis(1)),
                            new DispatchIntent("int_free_3", runId(900), "s", 1, T0, T0.plusMillis(2))));
            return null;
        });
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<List<String>> holder = pool.submit(() -> store.inTransaction(tx -> {
                List<String> ids = tx.intents().lease("relay-a", T0, T0.plusSeconds(30), 2).stream()
                        .map(DispatchIntent::id)
                        .toList();
                locked.countDown();
                await(done);
                tx.intents().delete(ids);
                return ids;
            }));
            assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
            List<String> seen =
                    store.inTransaction(tx -> tx.intents().lease("relay-b", T0, T0.plusSeconds(30), 10).stream()
                            .map(DispatchIntent::id)
                            .toList());
            done.countDown();
            assertThat(holder.get(30, TimeUnit.SECONDS)).containsExactly("int_held_1", "int_held_2");
            assertThat(seen).containsExactly("int_free_3");
        } finally {
            done.countDown();
            pool.shutdownNow();
        }
        store.inTransaction(tx -> {
            tx.intents().deleteForRun(runId(900));
            return null;
        });
    }

    @Test
    void of_two_transactions_reserving_one_idempotency_key_the_second_waits_and_sees_the_first() throws Exception {
        CountDownLatch reserved = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Optional<RunRepository.IdempotencyReservation>> first = pool.submit(() -> store.inTransaction(tx -> {
                var r = tx.runs().reserveIdempotencyKey("order-42", "hash-a", runId(700), T0);
                reserved.countDown();
                await(commit);
                return r;
            }));
            assertThat(reserved.await(30, TimeUnit.SECONDS)).isTrue();
            Future<Optional<RunRepository.IdempotencyReservation>> second = pool.submit(() ->
                    store.inTransaction(tx -> tx.runs().reserveIdempotencyKey("order-42", "hash-b", runId(701), T0)));
            commit.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEmpty();
            assertThat(second.get(30, TimeUnit.SECONDS))
                    .contains(new RunRepository.IdempotencyReservation("order-42", "hash-a", runId(700)));
        } finally {
            commit.countDown();
            pool.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private interface Body {
        void run(int thread) throws Exception;
    }

    private static void runConcurrently(Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    body.run(thread);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
