package io.durableruns.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.ports.GraphNotFoundException;
import io.durableruns.ports.IdempotencyConflictException;
import io.durableruns.ports.StoreException;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.CreateRunResult;
import io.durableruns.ports.in.CreateRunUseCase;
import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.model.RunFilter;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.out.RunRepository;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Run creations that arrive while another is committing share one transaction, and one creation's failure reaches
 * its own caller only. Each test holds the first creation's transaction open until the others are queued behind
 * it, so the batch they form is known.
 */
class GroupCommitTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final InMemoryRunStore memory = new InMemoryRunStore();
    private final AtomicInteger transactions = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger inserts = new AtomicInteger();
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private volatile Consumer<List<RunRecord>> onInsert = runs -> {};

    @AfterEach
    void stopCallers() {
        release.countDown();
        callers.shutdownNow();
    }

    private static StepGraph chain() {
        return StepGraph.builder("chain", 1)
                .step("a", ctx -> "a")
                .step("b", List.of("a"), ctx -> "b")
                .build();
    }

    /** The memory store, counting transactions; the first insert of runs waits for {@link #release}. */
    private RunEngine engine() {
        RunStore counting = new RunStore() {
            @Override
            public <R> R inTransaction(TransactionWork<R> work) {
                return memory.inTransaction(tx -> {
                    transactions.incrementAndGet();
                    return work.apply(watched(tx));
                });
            }

            @Override
            public <R> R read(TransactionWork<R> work) {
                return memory.read(work);
            }
        };
        RunEngine engine = RunEngine.builder()
                .store(counting)
                .registry(new GraphRegistry().register(chain()))
                .enforceTimeouts(false)
                .build();
        transactions.set(0); // the start-up's own transactions
        return engine;
    }

    private StoreTransaction watched(StoreTransaction tx) {
        return wrap(StoreTransaction.class, tx, (method, args, proceed) -> {
            Object result = proceed.call();
            if (!method.equals("runs")) {
                return result;
            }
            return wrap(RunRepository.class, (RunRepository) result, (m, a, p) -> {
                if (m.equals("insertAll") || m.equals("insert")) {
                    @SuppressWarnings("unchecked")
                    List<RunRecord> runs = m.equals("insert") ? List.of((RunRecord) a[0]) : (List<RunRecord>) a[0];
                    if (inserts.getAndIncrement() == 0 && !release.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the first creation was never released");
                    }
                    onInsert.accept(runs);
                }
                return p.call();
            });
        });
    }

    private interface Around {
        Object invoke(String method, Object[] args, java.util.concurrent.Callable<Object> proceed) throws Exception;
    }

    private static <T> T wrap(Class<T> type, T target, Around around) {
        return type.cast(Proxy.newProxyInstance(
                type.getClassLoader(),
                new Class<?>[] {type},
                (self, method, args) -> around.invoke(method.getName(), args, () -> {
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause());
                    }
                })));
    }

    private static JsonNode input(String topic) {
        return JsonNodeFactory.instance.objectNode().put("topic", topic);
    }

    private Future<CreateRunResult> create(RunEngine engine, String topic, String key) {
        return callers.submit(() -> engine.create(new CreateRunCommand("chain", null, input(topic), key)));
    }

    /**
     * Starts a first creation, which waits inside its transaction, then {@code more} others queued behind it in
     * order.
     */
    private List<Future<CreateRunResult>> queueBehindFirst(RunEngine engine, List<String[]> more)
            throws InterruptedException {
        List<Future<CreateRunResult>> futures = new ArrayList<>();
        futures.add(create(engine, "first", null));
        awaitTrue(() -> inserts.get() == 1);
        // One at a time, so that they queue in the list's order (several at once queue in whatever order their
        // threads reach the engine).
        for (String[] topicAndKey : more) {
            futures.add(create(engine, topicAndKey[0], topicAndKey[1]));
            int queued = futures.size() - 1;
            awaitTrue(() -> engine.creationsWaiting() == queued);
        }
        release.countDown();
        return futures;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + WAIT);
            }
            Thread.sleep(1);
        }
    }

    private static CreateRunResult get(Future<CreateRunResult> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void creations_queued_behind_a_commit_commit_together_in_one_transaction() throws Exception {
        RunEngine engine = engine();
        List<String[]> more = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            more.add(new String[] {"t" + i, null});
        }
        List<Future<CreateRunResult>> futures = queueBehindFirst(engine, more);
        List<String> ids = new ArrayList<>();
        for (Future<CreateRunResult> f : futures) {
            CreateRunResult r = get(f);
            assertThat(r.created()).isTrue();
            assertThat(r.run().steps()).hasSize(2);
            ids.add(r.run().run().id());
        }
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(transactions.get()).isEqualTo(2);
        assertThat(engine.list(RunListQuery.firstPage()).runs()).hasSize(8).allSatisfy(r -> assertThat(r.status())
                .isEqualTo(RunStatus.QUEUED));
        for (String id : ids) {
            assertThat(engine.find(id).orElseThrow().steps()).hasSize(2);
        }
    }

    @Test
    void more_creations_than_one_transaction_takes_commit_in_as_few_transactions_as_fit() throws Exception {
        RunEngine engine = engine();
        int queued = Creations.MAX_BATCH + 6;
        List<String[]> more = new ArrayList<>();
        for (int i = 0; i < queued; i++) {
            more.add(new String[] {"t" + i, null});
        }
        List<Future<CreateRunResult>> futures = queueBehindFirst(engine, more);
        for (Future<CreateRunResult> f : futures) {
            assertThat(get(f).created()).isTrue();
        }
        // The first alone, then a full transaction, then the six left.
        assertThat(transactions.get()).isEqualTo(3);
        assertThat(engine.list(new RunListQuery(RunFilter.any(), RunListQuery.MAX_LIMIT, null))
                        .runs())
                .hasSize(queued + 1);
    }

    @Test
    void a_creation_whose_shared_transaction_fails_is_retried_alone_and_only_its_own_failure_reaches_its_caller()
            throws Exception {
        RunEngine engine = engine();
        onInsert = runs -> {
            if (runs.stream().anyMatch(r -> r.input().path("topic").asText().equals("poison"))) {
                throw new StoreException("the store refused the poison run");
            }
        };
        List<Future<CreateRunResult>> futures = queueBehindFirst(
                engine, List.of(new String[] {"a", null}, new String[] {"poison", null}, new String[] {"b", null}));
        assertThat(get(futures.get(0)).created()).isTrue();
        assertThat(get(futures.get(1)).created()).isTrue();
        assertThatThrownBy(() -> get(futures.get(2)))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("poison");
        assertThat(get(futures.get(3)).created()).isTrue();
        // The first alone, the failed batch of three, then "a", "poison" and "b" each alone.
        assertThat(transactions.get()).isEqualTo(5);
        assertThat(engine.list(RunListQuery.firstPage()).runs())
                .extracting(r -> r.input().path("topic").asText())
                .containsExactlyInAnyOrder("first", "a", "b");
    }

    @Test
    void an_error_in_a_shared_transaction_leaves_no_caller_waiting() throws Exception {
        RunEngine engine = engine();
        AtomicInteger errors = new AtomicInteger();
        onInsert = runs -> {
            if (runs.size() > 1 && errors.getAndIncrement() == 0) {
                throw new StackOverflowError("thrown once, in the shared transaction");
            }
        };
        List<Future<CreateRunResult>> futures =
                queueBehindFirst(engine, List.of(new String[] {"a", null}, new String[] {"b", null}));
        assertThat(get(futures.get(0)).created()).isTrue();
        int failed = 0;
        for (Future<CreateRunResult> f : futures.subList(1, 3)) {
            try {
                assertThat(get(f).created()).isTrue();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StackOverflowError.class);
                failed++;
            }
        }
        // The caller that committed the batch sees the error; the other commits alone.
        assertThat(failed).isEqualTo(1);
        assertThat(engine.list(RunListQuery.firstPage()).runs()).hasSize(2);
    }

    @Test
    void a_reused_idempotency_key_fails_its_own_caller_and_the_rest_of_the_batch_commits() throws Exception {
        RunEngine engine = engine();
        List<Future<CreateRunResult>> futures = queueBehindFirst(
                engine,
                List.of(
                        new String[] {"keyed", "k-1"},
                        new String[] {"keyed", "k-1"},
                        new String[] {"other", "k-1"},
                        new String[] {"plain", null}));
        CreateRunResult keyed = get(futures.get(1));
        CreateRunResult repeat = get(futures.get(2));
        assertThat(List.of(keyed.created(), repeat.created())).containsExactlyInAnyOrder(true, false);
        assertThat(repeat.run().run().id()).isEqualTo(keyed.run().run().id());
        assertThat(repeat.run().steps()).hasSize(2);
        assertThatThrownBy(() -> get(futures.get(3)))
                .cause()
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("k-1");
        assertThat(get(futures.get(4)).created()).isTrue();
        assertThat(transactions.get()).isEqualTo(2);
        assertThat(engine.list(RunListQuery.firstPage()).runs())
                .extracting(r -> r.input().path("topic").asText())
                .containsExactlyInAnyOrder("first", "keyed", "plain");
    }

    @Test
    void a_lone_creation_commits_at_once_in_its_own_transaction() throws Exception {
        RunEngine engine = engine();
        release.countDown();
        for (int i = 0; i < 3; i++) {
            assertThat(engine.create(new CreateRunCommand("chain", null, input("x" + i), null))
                            .created())
                    .isTrue();
        }
        assertThat(transactions.get()).isEqualTo(3);
    }

    @Test
    void create_all_commits_its_runs_in_one_transaction_of_its_own() {
        RunEngine engine = engine();
        release.countDown();
        List<CreateRunCommand> commands = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            commands.add(new CreateRunCommand("chain", null, input("t" + i), i == 2 ? "k-2" : null));
        }
        List<CreateRunResult> results = engine.createAll(commands);
        assertThat(results)
                .extracting(r -> r.run().run().input().path("topic").asText())
                .containsExactly("t0", "t1", "t2", "t3", "t4");
        assertThat(results).allSatisfy(r -> assertThat(r.created()).isTrue());
        assertThat(transactions.get()).isEqualTo(1);
        assertThat(engine.list(RunListQuery.firstPage()).runs()).hasSize(5);
    }

    @Test
    void create_all_refuses_bad_input_before_it_opens_a_transaction() {
        RunEngine engine = engine();
        release.countDown();
        CreateRunCommand good = new CreateRunCommand("chain", null, input("good"), null);
        assertThatThrownBy(() ->
                        engine.createAll(List.of(good, new CreateRunCommand("no-such-graph", null, input("x"), null))))
                .isInstanceOf(GraphNotFoundException.class)
                .hasMessageContaining("no-such-graph");
        List<CreateRunCommand> withNull = new ArrayList<>(List.of(good, good));
        withNull.set(1, null);
        assertThatThrownBy(() -> engine.createAll(withNull))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("command 1 of 2 is null");
        List<CreateRunCommand> tooMany = Collections.nCopies(CreateRunUseCase.MAX_RUNS_PER_CALL + 1, good);
        assertThatThrownBy(() -> engine.createAll(tooMany))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("at most 1000 runs can be created in one call, 1001 were given");
        assertThat(engine.createAll(List.of())).isEmpty();
        assertThat(transactions.get()).isZero();
        assertThat(engine.list(RunListQuery.firstPage()).runs()).isEmpty();
    }
}
