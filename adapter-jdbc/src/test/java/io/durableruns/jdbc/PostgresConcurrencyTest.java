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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
        store = JdbcRunStore.postgres(strictPool, JdbcOptions.newBuilder().schema(DATABASE.schema()).build());
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
                tx.runs().insert(new RunRecord(runId(j), "fan", 1, RunStatus.RUNNING,
                        new ObjectMapper().createObjectNode(), null, null, THREADS + 1, T0, T0, null));
                tx.steps().insertAll(List.of(new StepRecord(runId(j), "join", StepStatus.PENDING, 0, 0, THREADS,
                        List.of(), null, null, null, null, null, null, null, T0)));
            }
            return null;
        });
        Map<String, AtomicInteger> readied = new ConcurrentHashMap<>();
        runConcurrently(thread -> {
            for (int j = 0; j < joins; j++) {
                String id = runId(j);
                store.inTransaction(tx -> {
                    tx.runs().decrementStepsRemaining(id);
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
            List<DispatchIntent> intents = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                intents.add(new DispatchIntent(String.format("int_%026d", i), runId(i % 50), "s", T0.plusMillis(i), T0));
            }
            tx.intents().insertAll(intents);
            return null;
        });
        Map<String, Integer> claimedBy = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        runConcurrently(thread -> {
            List<DispatchIntent> got;
            do {
                got = store.inTransaction(tx -> {
                    List<DispatchIntent> batch = tx.intents().claimDue(T0.plusSeconds(3600), 16);
                    tx.intents().count();
                    return batch;
                });
                for (DispatchIntent intent : got) {
                    if (claimedBy.putIfAbsent(intent.id(), thread) != null) {
                        duplicates.incrementAndGet();
                    }
                }
            } while (!got.isEmpty());
        });
        assertThat(duplicates).hasValue(0);
        assertThat(claimedBy).hasSize(total);
        assertThat(claimedBy.values().stream().distinct().count()).isGreaterThan(1);
        var left = store.inTransaction(tx -> tx.intents().count());
        assertThat(left).isZero();
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
