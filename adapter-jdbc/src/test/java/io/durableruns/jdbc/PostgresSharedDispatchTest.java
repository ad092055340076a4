package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.durableruns.core.contract.Calls;
import io.durableruns.core.contract.Intercepted;
import io.durableruns.core.contract.Runs;
import io.durableruns.core.dispatch.Dispatcher;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.DispatchSignal;
import io.durableruns.ports.out.IntentRepository;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several dispatchers on one PostgreSQL database, each with its own pool, store and engine, as separate processes
 * would have them.
 */
class PostgresSharedDispatchTest {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private final Calls calls = new Calls();
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    @AfterEach
    void close() {
        dispatchers.forEach(Dispatcher::close);
    }

    /** a -> b, a -> c, b -> d, c -> d; b fails its first attempt in every tenth run, and b and d write artifacts. */
    private StepGraph diamond() {
        return StepGraph.builder("shared-diamond", 1)
                .step("a", ctx -> calls.record(ctx, ctx.input().get("i").asInt()))
                .step(StepDefinition.named("b")
                        .dependsOn("a")
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(20))
                                .jitter(0)
                                .build())
                        .handler(ctx -> {
                            calls.record(ctx, null);
                            ctx.artifacts().putText("b.txt", "text/plain", "attempt " + ctx.attempt());
                            if (ctx.attempt() == 1 && ctx.output("a").asInt() % 10 == 0) {
                                throw new IOException("flaky dependency");
                            }
                            return ctx.output("a").asInt() + 1;
                        }))
                .step(
                        "c",
                        List.of("a"),
                        ctx -> calls.record(ctx, ctx.output("a").asInt() + 2))
                .step("d", List.of("b", "c"), ctx -> {
                    ctx.artifacts()
                            .putText(
                                    "sum.txt",
                                    "text/plain",
                                    String.valueOf(ctx.output("b").asInt()
                                            + ctx.output("c").asInt()));
                    return calls.record(ctx, "done");
                })
                .build();
    }

    private RunEngine node(JdbcRunStore store, StepGraph graph, Dispatcher.Builder dispatcher) {
        Dispatcher d = dispatcher.wakeSource(store).build();
        dispatchers.add(d);
        RunEngine engine = RunEngine.builder()
                .store(store)
                .registry(new GraphRegistry().register(graph))
                .dispatchSignal(d)
                .build();
        d.start(engine);
        return engine;
    }

    @Test
    void two_dispatchers_share_500_diamond_runs_running_each_attempt_once_with_one_artifact_per_key() throws Exception {
        StepGraph graph = diamond();
        RunEngine one = node(
                DATABASE.openStore(), graph, Dispatcher.builder().workers(4).owner("node-one"));
        RunEngine two = node(
                DATABASE.openStore(), graph, Dispatcher.builder().workers(4).owner("node-two"));

        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> viaOne = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 500; i += 2) {
                ids.add(Runs.start(one, "shared-diamond", Map.of("i", i)));
            }
        });
        CompletableFuture<Void> viaTwo = CompletableFuture.runAsync(() -> {
            for (int i = 1; i < 500; i += 2) {
                ids.add(Runs.start(two, "shared-diamond", Map.of("i", i)));
            }
        });
        CompletableFuture.allOf(viaOne, viaTwo).get();
        Runs.awaitSucceeded(one, ids);

        assertThat(calls.duplicates()).isEmpty();
        Map<String, Integer> startsByOwner = new HashMap<>();
        for (String id : ids) {
            int i = one.find(id).orElseThrow().run().input().get("i").asInt();
            assertThat(calls.ofStep(id, "a")).isEqualTo(1);
            assertThat(calls.ofStep(id, "b")).isEqualTo(i % 10 == 0 ? 2 : 1);
            assertThat(calls.ofStep(id, "c")).isEqualTo(1);
            assertThat(calls.ofStep(id, "d")).isEqualTo(1);
            assertThat(one.artifacts(id))
                    .extracting(ArtifactSummary::step, ArtifactSummary::key)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("b", "b.txt"),
                            org.assertj.core.groups.Tuple.tuple("d", "sum.txt"));
            assertThat(one.artifact(id, "b", "b.txt").orElseThrow().attempt()).isEqualTo(i % 10 == 0 ? 2 : 1);
            for (TimelineEvent e : one.timeline(id)) {
                if (e.type() == EventType.STEP_STARTED) {
                    startsByOwner.merge(e.data().get("owner").asText(), 1, Integer::sum);
                }
            }
        }
        assertThat(startsByOwner.values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(500 * 4 + 50);
        assertThat(startsByOwner).containsOnlyKeys("node-one", "node-two");
    }

    @Test
    void a_dispatcher_wakes_when_another_process_commits_intents() {
        StepGraph chain = StepGraph.builder("notified", 1)
                .step("first", ctx -> calls.record(ctx, 1))
                .step("second", List.of("first"), ctx -> calls.record(ctx, 2))
                .build();
        RunEngine creator = RunEngine.builder()
                .store(DATABASE.openStore())
                .registry(new GraphRegistry().register(chain))
                .dispatchSignal(DispatchSignal.NONE)
                .build();
        node(
                DATABASE.openStore(),
                chain,
                Dispatcher.builder()
                        .workers(2)
                        .pollInterval(Duration.ofHours(1))
                        .sweepInterval(Duration.ofHours(1)));

        List<String> ids = Runs.start(creator, "notified", 10);
        Runs.awaitSucceeded(creator, ids);

        for (String id : ids) {
            assertThat(calls.of(id, "second", 1)).isEqualTo(1);
        }
    }

    /**
     * A claim skips intents whose run another transaction holds (a step commit, a command), and such a transaction
     * may itself skip the intent the claim holds for that moment: neither takes it, and no commit signals it again.
     * The dispatcher must look again once the holder is done, with no poll to rescue it.
     */
    @Test
    void a_claim_that_skipped_a_held_run_looks_again_without_a_poll() throws Exception {
        StepGraph single = StepGraph.builder("held", 1)
                .step("only", ctx -> calls.record(ctx, 1))
                .build();
        Semaphore claims = new Semaphore(0);
        RunStore observed = Intercepted.store(
                DATABASE.openStore(),
                tx -> Intercepted.method(
                        StoreTransaction.class,
                        tx,
                        "intents",
                        intents -> Intercepted.method(
                                IntentRepository.class, (IntentRepository) intents.proceed(), "claimDue", claim -> {
                                    Object taken = claim.proceed();
                                    claims.release();
                                    return taken;
                                })));
        Dispatcher dispatcher = Dispatcher.builder()
                .workers(1)
                .pollInterval(Duration.ofHours(1))
                .sweepInterval(Duration.ofHours(1))
                .build();
        dispatchers.add(dispatcher);
        RunEngine engine = RunEngine.builder()
                .store(observed)
                .registry(new GraphRegistry().register(single))
                .dispatchSignal(dispatcher)
                .build();
        String id = Runs.start(engine, "held", Map.of());

        try (Connection holder = DriverManager.getConnection(DATABASE.url())) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock =
                    holder.prepareStatement("SELECT id FROM " + DATABASE.schema() + ".runs WHERE id = ? FOR UPDATE")) {
                lock.setString(1, id);
                lock.executeQuery().close();
            }
            dispatcher.start(engine);
            assertThat(claims.tryAcquire(Runs.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the dispatcher's first claim")
                    .isTrue();
            assertThat(calls.of(id, "only", 1)).as("runs of the held step").isZero();
            holder.commit();
        }
        Runs.awaitSucceeded(engine, List.of(id));
        assertThat(calls.of(id, "only", 1)).isEqualTo(1);
    }

    @Test
    void a_closed_subscription_gives_its_listening_connection_back_no_longer_listening() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(DATABASE.url());
        config.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(config);
                JdbcRunStore store = JdbcRunStore.postgres(
                        pool, JdbcOptions.newBuilder().schema(DATABASE.schema()).build())) {
            AutoCloseable subscription = store.subscribe(() -> {});
            long deadline = System.nanoTime() + Runs.PATIENCE.toNanos();
            while (pool.getHikariPoolMXBean().getActiveConnections() == 0 && System.nanoTime() < deadline) {
                Runs.sleep(5);
            }
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isEqualTo(1);
            subscription.close();
            try (Connection connection = pool.getConnection();
                    Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT count(*) FROM pg_listening_channels()")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }
}
