package io.durableruns.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.core.NonRetryableStepException;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.GraphVersionConflictException;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.testkit.RunTestKit;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.IdempotencyConflictException;
import io.durableruns.ports.InvalidRequestException;
import io.durableruns.ports.RunStateConflictException;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.CreateRunResult;
import io.durableruns.ports.in.CreateRunUseCase;
import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.FinishCommit;
import io.durableruns.ports.model.GraphVersionRecord;
import io.durableruns.ports.model.LinkCommit;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunFilter;
import io.durableruns.ports.model.RunPage;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepCursor;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.StepSummary;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.model.ToolCallRecord;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StepRepository;
import io.durableruns.ports.out.StoreTransaction;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link RunStore} honours, written once and extended by each implementation (the
 * in-memory store, SQLite, PostgreSQL). The first half checks the repositories directly; the second half
 * runs the engine over the store and checks the invariants of the architecture end to end.
 */
public abstract class RunStoreContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456Z");

    protected RunStore store;

    /** A new, empty store; called before each test. */
    protected abstract RunStore newStore();

    /** Releases a store made by {@link #newStore()}; called after each test. */
    protected void closeStore(RunStore store) throws Exception {}

    @BeforeEach
    void createStore() {
        CALLS.clear();
        store = newStore();
    }

    @AfterEach
    void dropStore() throws Exception {
        closeStore(store);
    }

    // ---- fixtures ------------------------------------------------------------------------------------------

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String runId(int n) {
        return String.format("run_%026d", n);
    }

    private static RunRecord run(String id, String graph, Instant createdAt) {
        return new RunRecord(
                id,
                graph,
                1,
                RunStatus.QUEUED,
                json("{\"topic\":\"x\",\"n\":[1,2.5,true,null]}"),
                null,
                null,
                2,
                createdAt,
                createdAt,
                null);
    }

    private static StepRecord step(String runId, String name, StepStatus status, int pendingDeps, List<String> deps) {
        return new StepRecord(
                runId,
                name,
                status,
                0,
                0,
                pendingDeps,
                deps,
                null,
                null,
                status == StepStatus.QUEUED ? T0 : null,
                null,
                null,
                null,
                null,
                T0);
    }

    private void insertRunWithSteps(String id) {
        store.inTransaction(tx -> {
            tx.runs().insert(run(id, "g", T0));
            tx.steps()
                    .insertAll(List.of(
                            step(id, "a", StepStatus.QUEUED, 0, List.of()),
                            step(id, "b", StepStatus.PENDING, 1, List.of("a"))));
            return null;
        });
    }

    // ---- repositories --------------------------------------------------------------------------------------

    @Test
    void a_run_round_trips_with_json_and_microsecond_instants() {
        RunRecord r = run(runId(1), "g", T0);
        store.inTransaction(tx -> {
            tx.runs().insert(r);
            return null;
        });
        RunRecord back = store.inTransaction(tx -> tx.runs().find(r.id())).orElseThrow();
        assertThat(back).isEqualTo(r);
        var r1 = store.inTransaction(tx -> tx.runs().find(runId(2)));
        assertThat(r1).isEmpty();
    }

    @Test
    void several_runs_inserted_at_once_round_trip_like_runs_inserted_one_by_one() {
        List<RunRecord> runs = List.of(
                run(runId(1), "g", T0),
                run(runId(2), "h", T0.plusMillis(1)),
                new RunRecord(
                        runId(3),
                        "g",
                        2,
                        RunStatus.QUEUED,
                        json("{\"s\":\"'; DROP TABLE runs; --\"}"),
                        null,
                        "key-3",
                        1,
                        T0,
                        T0,
                        null));
        store.inTransaction(tx -> {
            tx.runs().insertAll(runs);
            tx.runs().insertAll(List.of());
            return null;
        });
        for (RunRecord r : runs) {
            Optional<RunRecord> back = store.inTransaction(tx -> tx.runs().find(r.id()));
            assertThat(back).contains(r);
        }
        assertThatThrownBy(() -> store.inTransaction(tx -> {
                    tx.runs().insertAll(List.of(run(runId(4), "g", T0), run(runId(1), "g", T0)));
                    return null;
                }))
                .isInstanceOf(RuntimeException.class);
        Optional<RunRecord> rolledBack = store.inTransaction(tx -> tx.runs().find(runId(4)));
        assertThat(rolledBack).isEmpty();
    }

    @Test
    void a_failing_transaction_leaves_nothing_behind() {
        assertThatThrownBy(() -> store.inTransaction(tx -> {
                    tx.runs().insert(run(runId(1), "g", T0));
                    tx.steps().insertAll(List.of(step(runId(1), "a", StepStatus.QUEUED, 0, List.of())));
                    tx.intents().insertAll(List.of(new DispatchIntent("int_1", runId(1), "a", 1, T0, T0)));
                    throw new IllegalStateException("boom");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("boom");
        var r2 = store.inTransaction(tx -> tx.runs().find(runId(1)));
        assertThat(r2).isEmpty();
        var r3 = store.inTransaction(tx -> tx.steps().findByRun(runId(1)));
        assertThat(r3).isEmpty();
        var r4 = store.inTransaction(tx -> tx.intents().count());
        assertThat(r4).isZero();
    }

    @Test
    void a_read_sees_what_committed_transactions_wrote() {
        insertRunWithSteps(runId(1));
        var run = store.read(tx -> tx.runs().find(runId(1)));
        assertThat(run).isPresent();
        var steps = store.read(tx -> tx.steps().findByRun(runId(1)));
        assertThat(steps).extracting(StepRecord::name).containsExactly("a", "b");
        var missing = store.read(tx -> tx.runs().find(runId(2)));
        assertThat(missing).isEmpty();
    }

    @Test
    void run_status_is_compare_and_set_and_sets_finished_at_for_terminal_states() {
        insertRunWithSteps(runId(1));
        Instant t1 = T0.plusSeconds(1);
        var r5 = store.inTransaction(
                tx -> tx.runs().updateStatus(runId(1), RunStatus.RUNNING, RunStatus.SUCCEEDED, t1, null));
        assertThat(r5).isFalse();
        var r6 = store.inTransaction(
                tx -> tx.runs().updateStatus(runId(1), RunStatus.QUEUED, RunStatus.RUNNING, t1, null));
        assertThat(r6).isTrue();
        var r7 = store.inTransaction(tx ->
                tx.runs().updateStatus(runId(1), RunStatus.RUNNING, RunStatus.SUCCEEDED, t1, json("{\"done\":true}")));
        assertThat(r7).isTrue();
        RunRecord r = store.inTransaction(tx -> tx.runs().find(runId(1))).orElseThrow();
        assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(r.finishedAt()).isEqualTo(t1);
        assertThat(r.updatedAt()).isEqualTo(t1);
        assertThat(r.output()).isEqualTo(json("{\"done\":true}"));
    }

    @Test
    void sinks_remaining_counts_down_atomically() {
        insertRunWithSteps(runId(1));
        var r8 = store.inTransaction(tx -> tx.runs().decrementSinksRemaining(runId(1)));
        assertThat(r8).isEqualTo(1);
        var r9 = store.inTransaction(tx -> tx.runs().decrementSinksRemaining(runId(1)));
        assertThat(r9).isZero();
    }

    @Test
    void an_idempotency_key_is_reserved_once() {
        var r10 = store.inTransaction(tx -> tx.runs().reserveIdempotencyKey("k1", "h1", runId(1), T0));
        assertThat(r10).isEmpty();
        var again = store.inTransaction(tx -> tx.runs().reserveIdempotencyKey("k1", "h2", runId(2), T0));
        assertThat(again).isPresent();
        assertThat(again.get().runId()).isEqualTo(runId(1));
        assertThat(again.get().requestHash()).isEqualTo("h1");
    }

    @Test
    void runs_list_newest_first_with_filters_and_keyset_cursor() {
        store.inTransaction(tx -> {
            for (int i = 1; i <= 5; i++) {
                tx.runs().insert(run(runId(i), i % 2 == 0 ? "even" : "odd", T0.plusSeconds(i)));
            }
            tx.runs().insert(run(runId(6), "odd", T0.plusSeconds(5)));
            return null;
        });
        List<RunRecord> all = store.inTransaction(tx -> tx.runs().list(RunFilter.any(), null, 10));
        assertThat(all)
                .extracting(RunRecord::id)
                .containsExactly(runId(6), runId(5), runId(4), runId(3), runId(2), runId(1));
        List<RunRecord> odd = store.inTransaction(tx -> tx.runs().list(new RunFilter(null, "odd"), null, 10));
        assertThat(odd).extracting(RunRecord::id).containsExactly(runId(6), runId(5), runId(3), runId(1));
        RunRecord sixth = all.get(0);
        List<RunRecord> after = store.inTransaction(tx -> tx.runs()
                .list(RunFilter.any(), new io.durableruns.ports.model.RunCursor(sixth.createdAt(), sixth.id()), 2));
        assertThat(after).extracting(RunRecord::id).containsExactly(runId(5), runId(4));
        var r11 = store.inTransaction(tx -> tx.runs().list(new RunFilter(RunStatus.RUNNING, null), null, 10));
        assertThat(r11).isEmpty();
    }

    @Test
    void step_update_is_a_compare_and_set_on_status_and_attempt() {
        insertRunWithSteps(runId(1));
        StepRecord a = store.inTransaction(tx -> tx.steps().find(runId(1), "a")).orElseThrow();
        StepRecord running = new StepRecord(
                a.runId(),
                a.name(),
                StepStatus.RUNNING,
                1,
                0,
                0,
                a.dependsOn(),
                "w1",
                T0.plusSeconds(60),
                null,
                T0,
                null,
                null,
                null,
                T0);
        var r12 = store.inTransaction(tx -> tx.steps().update(running, StepStatus.QUEUED, 0));
        assertThat(r12).isTrue();
        var r13 = store.inTransaction(tx -> tx.steps().update(running, StepStatus.QUEUED, 0));
        assertThat(r13).isFalse();
        StepRecord stale = new StepRecord(
                a.runId(),
                a.name(),
                StepStatus.SUCCEEDED,
                1,
                0,
                0,
                a.dependsOn(),
                null,
                null,
                null,
                T0,
                T0,
                json("1"),
                null,
                T0);
        var r14 = store.inTransaction(tx -> tx.steps().update(stale, StepStatus.RUNNING, 2));
        assertThat(r14).isFalse();
        StepRecord back =
                store.inTransaction(tx -> tx.steps().find(runId(1), "a")).orElseThrow();
        assertThat(back).isEqualTo(running);
        StepRecord withError = new StepRecord(
                a.runId(),
                a.name(),
                StepStatus.RETRYING,
                1,
                0,
                0,
                a.dependsOn(),
                null,
                null,
                T0.plusSeconds(5),
                T0,
                null,
                null,
                new StepError("java.io.IOException", "down", "trace"),
                T0.plusSeconds(1));
        var r15 = store.inTransaction(tx -> tx.steps().update(withError, StepStatus.RUNNING, 1));
        assertThat(r15).isTrue();
        var r16 = store.inTransaction(tx -> tx.steps().find(runId(1), "a"));
        assertThat(r16.orElseThrow()).isEqualTo(withError);
    }

    /** Step a of a run made by {@link #insertRunWithSteps}, claimed: RUNNING in attempt 1, leased to w1. */
    private StepRecord claimA(String runId) {
        StepRecord a = store.inTransaction(tx -> tx.steps().find(runId, "a")).orElseThrow();
        StepRecord running = new StepRecord(
                runId,
                "a",
                StepStatus.RUNNING,
                1,
                0,
                0,
                a.dependsOn(),
                "w1",
                T0.plusSeconds(60),
                null,
                T0.plusSeconds(1),
                null,
                null,
                null,
                T0.plusSeconds(1));
        boolean claimed = store.inTransaction(tx -> tx.steps().update(running, StepStatus.QUEUED, 0));
        assertThat(claimed).isTrue();
        return running;
    }

    /** The running step as its successful commit at {@code at} stores it, with {@code output}. */
    private static StepRecord succeeded(StepRecord running, Instant at, JsonNode output) {
        return new StepRecord(
                running.runId(),
                running.name(),
                StepStatus.SUCCEEDED,
                running.attempt(),
                running.budgetBase(),
                0,
                running.dependsOn(),
                null,
                null,
                null,
                running.startedAt(),
                at,
                output,
                null,
                at);
    }

    /** The link that commits a's success and gives b to w2. */
    private static LinkCommit link(StepRecord running, int expectedAttempt) {
        return link(running, expectedAttempt, List.of(), List.of());
    }

    private static LinkCommit link(
            StepRecord running, int expectedAttempt, List<ToolCallRecord> calls, List<ArtifactRecord> artifacts) {
        Instant at = T0.plusSeconds(2);
        StepRecord succeeded = succeeded(running, at, json("{\"found\":[1,2]}"));
        return new LinkCommit(
                succeeded,
                expectedAttempt,
                "b",
                "w2",
                at.plusSeconds(90),
                at,
                json("{\"durationMs\":1000}"),
                json("{\"owner\":\"w2\"}"),
                calls,
                artifacts);
    }

    /** A run's steps and timeline, to check that nothing changed. */
    private List<Object> snapshot(String runId) {
        return store.read(
                tx -> List.of(tx.steps().findByRun(runId), tx.timeline().findByRun(runId)));
    }

    @Test
    void a_chain_link_commits_the_step_and_claims_its_successor_with_both_events() {
        insertRunWithSteps(runId(1));
        StepRecord running = claimA(runId(1));
        LinkCommit link = link(running, 1);

        Optional<StepRecord> claimed = store.commitLink(link);

        StepRecord b = claimed.orElseThrow();
        assertThat(b.status()).isEqualTo(StepStatus.RUNNING);
        assertThat(b.attempt()).isEqualTo(1);
        assertThat(b.pendingDeps()).isZero();
        assertThat(b.leaseOwner()).isEqualTo("w2");
        assertThat(b.leaseUntil()).isEqualTo(T0.plusSeconds(92));
        assertThat(b.startedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(b.dueAt()).isNull();
        assertThat(b.dependsOn()).containsExactly("a");
        assertThat(b).isEqualTo(link.claimed(step(runId(1), "b", StepStatus.PENDING, 1, List.of("a"))));
        List<StepRecord> steps = store.read(tx -> tx.steps().findByRun(runId(1)));
        assertThat(steps).containsExactly(link.succeeded(), b);
        List<TimelineEvent> timeline = store.read(tx -> tx.timeline().findByRun(runId(1)));
        assertThat(timeline)
                .containsExactly(
                        new TimelineEvent(
                                1,
                                runId(1),
                                T0.plusSeconds(2),
                                EventType.STEP_SUCCEEDED,
                                "a",
                                1,
                                json("{\"durationMs\":1000}")),
                        new TimelineEvent(
                                2,
                                runId(1),
                                T0.plusSeconds(2),
                                EventType.STEP_STARTED,
                                "b",
                                1,
                                json("{\"owner\":\"w2\"}")));
    }

    @Test
    void a_chain_link_stores_the_attempt_s_tool_calls_in_order_and_its_artifacts_unless_the_key_exists() {
        insertRunWithSteps(runId(1));
        StepRecord running = claimA(runId(1));
        ArtifactRecord earlier =
                new ArtifactRecord(runId(1), "a", "page.html", "text/html", new byte[] {1}, 1, T0.plusSeconds(1));
        boolean stored = store.inTransaction(tx -> tx.artifacts().insertIfAbsent(earlier));
        assertThat(stored).isTrue();
        List<ToolCallRecord> calls = List.of(
                new ToolCallRecord(runId(1), "a", 1, "search", json("{\"q\":\"x\"}"), json("[1,2]"), null, T0, 12),
                new ToolCallRecord(runId(1), "a", 1, "fetch", null, null, "java.io.IOException: down", T0, 3),
                new ToolCallRecord(runId(1), "a", 1, "rank", json("{}"), json("\"it's\""), null, T0, 0));
        ArtifactRecord notes = new ArtifactRecord(
                runId(1),
                "a",
                "notes.txt",
                "text/plain",
                "\u00fc\u0000,{}\"".getBytes(StandardCharsets.UTF_8),
                1,
                T0.plusSeconds(2));
        ArtifactRecord again =
                new ArtifactRecord(runId(1), "a", "page.html", "text/html", new byte[] {2}, 1, T0.plusSeconds(2));
        ArtifactRecord empty = new ArtifactRecord(
                runId(1), "a", "empty", "application/octet-stream", new byte[0], 1, T0.plusSeconds(2));

        Optional<StepRecord> claimed = store.commitLink(link(running, 1, calls, List.of(notes, again, empty)));

        assertThat(claimed).isPresent();
        List<ToolCallRecord> storedCalls = store.read(tx -> tx.toolCalls().findByRun(runId(1)));
        assertThat(storedCalls).containsExactlyElementsOf(calls);
        Optional<ArtifactRecord> page = store.read(tx -> tx.artifacts().find(runId(1), "a", "page.html"));
        assertThat(page).contains(earlier);
        Optional<ArtifactRecord> storedNotes = store.read(tx -> tx.artifacts().find(runId(1), "a", "notes.txt"));
        assertThat(storedNotes).contains(notes);
        Optional<ArtifactRecord> storedEmpty = store.read(tx -> tx.artifacts().find(runId(1), "a", "empty"));
        assertThat(storedEmpty).contains(empty);
    }

    @Test
    void a_chain_link_writes_nothing_when_the_run_finished_the_attempt_moved_on_or_the_successor_waits_for_more() {
        // The attempt no longer holds the step.
        insertRunWithSteps(runId(1));
        StepRecord running1 = claimA(runId(1));
        assertLinkWritesNothing(link(running1, 2));

        // The run finished (a cancel got there first).
        insertRunWithSteps(runId(2));
        StepRecord running2 = claimA(runId(2));
        boolean cancelled = store.inTransaction(
                tx -> tx.runs().updateStatus(runId(2), RunStatus.QUEUED, RunStatus.CANCELLED, T0, null));
        assertThat(cancelled).isTrue();
        assertLinkWritesNothing(link(running2, 1));

        // The successor waits for another step too.
        insertRunWithSteps(runId(3));
        StepRecord running3 = claimA(runId(3));
        replacePendingB(step(runId(3), "b", StepStatus.PENDING, 2, List.of("a")));
        assertLinkWritesNothing(link(running3, 1));

        // The successor is no longer pending.
        insertRunWithSteps(runId(4));
        StepRecord running4 = claimA(runId(4));
        replacePendingB(step(runId(4), "b", StepStatus.QUEUED, 0, List.of("a")));
        assertLinkWritesNothing(link(running4, 1));
    }

    private void replacePendingB(StepRecord b) {
        boolean replaced = store.inTransaction(tx -> tx.steps().update(b, StepStatus.PENDING, 0));
        assertThat(replaced).isTrue();
    }

    private void assertLinkWritesNothing(LinkCommit link) {
        List<Object> before = snapshot(link.runId());
        assertThat(store.commitLink(link)).isEmpty();
        assertThat(snapshot(link.runId())).isEqualTo(before);
    }

    /** A RUNNING run of graph g with {@code sinks} sinks left and its step "z" RUNNING in attempt 1, leased to w1. */
    private StepRecord insertRunningLastStep(String id, int sinks) {
        RunRecord queued = run(id, "g", T0);
        RunRecord running =
                new RunRecord(id, "g", 1, RunStatus.RUNNING, queued.input(), null, null, sinks, T0, T0, null);
        StepRecord z = new StepRecord(
                id,
                "z",
                StepStatus.RUNNING,
                1,
                0,
                0,
                List.of(),
                "w1",
                T0.plusSeconds(60),
                null,
                T0.plusSeconds(1),
                null,
                null,
                null,
                T0.plusSeconds(1));
        store.inTransaction(tx -> {
            tx.runs().insert(running);
            tx.steps().insertAll(List.of(z));
            return null;
        });
        return z;
    }

    /** The finish that commits z's success and the run's. */
    private static FinishCommit finish(StepRecord running, int expectedAttempt) {
        Instant at = T0.plusSeconds(2);
        StepRecord succeeded = succeeded(running, at, json("{\"spec\":\"it's done\"}"));
        return new FinishCommit(
                succeeded,
                expectedAttempt,
                at,
                json("{\"durationMs\":1000}"),
                json("{\"z\":{\"spec\":\"it's done\"}}"));
    }

    @Test
    void a_finish_commits_the_last_step_and_the_run_s_success_with_both_events() {
        StepRecord running = insertRunningLastStep(runId(1), 1);
        FinishCommit finish = finish(running, 1);

        boolean finished = store.inTransaction(tx -> tx.commitFinish(finish));

        assertThat(finished).isTrue();
        List<StepRecord> steps = store.read(tx -> tx.steps().findByRun(runId(1)));
        assertThat(steps).containsExactly(finish.succeeded());
        RunRecord run = store.read(tx -> tx.runs().find(runId(1))).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.output()).isEqualTo(finish.output());
        assertThat(run.sinksRemaining()).isZero();
        assertThat(run.updatedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(run.finishedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(run.createdAt()).isEqualTo(T0);
        assertThat(run.input()).isEqualTo(run(runId(1), "g", T0).input());
        List<TimelineEvent> timeline = store.read(tx -> tx.timeline().findByRun(runId(1)));
        assertThat(timeline)
                .containsExactly(
                        new TimelineEvent(
                                1,
                                runId(1),
                                T0.plusSeconds(2),
                                EventType.STEP_SUCCEEDED,
                                "z",
                                1,
                                json("{\"durationMs\":1000}")),
                        new TimelineEvent(
                                2, runId(1), T0.plusSeconds(2), EventType.RUN_SUCCEEDED, null, null, json("{}")));
    }

    @Test
    void a_finish_writes_nothing_when_the_run_is_not_running_or_has_another_sink_or_the_attempt_moved_on() {
        // The attempt no longer holds the step.
        assertFinishWritesNothing(finish(insertRunningLastStep(runId(1), 1), 2));

        // The run finished (a cancel got there first).
        FinishCommit cancelled = finish(insertRunningLastStep(runId(2), 1), 1);
        boolean cancel = store.inTransaction(
                tx -> tx.runs().updateStatus(runId(2), RunStatus.RUNNING, RunStatus.CANCELLED, T0, null));
        assertThat(cancel).isTrue();
        assertFinishWritesNothing(cancelled);

        // Another sink of the run has not finished.
        assertFinishWritesNothing(finish(insertRunningLastStep(runId(3), 2), 1));
    }

    private void assertFinishWritesNothing(FinishCommit finish) {
        List<Object> before =
                List.of(snapshot(finish.runId()), store.read(tx -> tx.runs().find(finish.runId())));
        boolean finished = store.inTransaction(tx -> tx.commitFinish(finish));
        assertThat(finished).isFalse();
        assertThat(List.of(snapshot(finish.runId()), store.read(tx -> tx.runs().find(finish.runId()))))
                .isEqualTo(before);
    }

    @Test
    void steps_are_listed_in_insertion_order() {
        String id = runId(1);
        store.inTransaction(tx -> {
            tx.runs().insert(run(id, "g", T0));
            tx.steps()
                    .insertAll(List.of(
                            step(id, "zeta", StepStatus.QUEUED, 0, List.of()),
                            step(id, "alpha", StepStatus.PENDING, 1, List.of("zeta")),
                            step(id, "mid", StepStatus.PENDING, 1, List.of("alpha"))));
            return null;
        });
        var r17 = store.inTransaction(tx -> tx.steps().findByRun(id));
        assertThat(r17).extracting(StepRecord::name).containsExactly("zeta", "alpha", "mid");
    }

    @Test
    void steps_found_by_name_are_the_named_steps_of_their_run_in_insertion_order() {
        String id = runId(1);
        store.inTransaction(tx -> {
            tx.runs().insert(run(id, "g", T0));
            tx.runs().insert(run(runId(2), "g", T0));
            tx.steps()
                    .insertAll(List.of(
                            step(id, "zeta", StepStatus.QUEUED, 0, List.of()),
                            step(id, "alpha", StepStatus.PENDING, 1, List.of("zeta")),
                            step(id, "mid", StepStatus.PENDING, 1, List.of("alpha")),
                            step(runId(2), "alpha", StepStatus.QUEUED, 0, List.of())));
            return null;
        });
        List<StepRecord> all = store.read(tx -> tx.steps().findByRun(id));

        List<StepRecord> found = store.read(tx -> tx.steps().findByNames(id, List.of("mid", "zeta", "none", "zeta")));
        List<StepRecord> none = store.read(tx -> tx.steps().findByNames(id, List.of()));

        assertThat(found).containsExactly(all.get(0), all.get(2));
        assertThat(none).isEmpty();
    }

    @Test
    void concurrent_dependency_completions_see_zero_exactly_once() throws Exception {
        String id = runId(1);
        int deps = 8;
        store.inTransaction(tx -> {
            tx.runs().insert(run(id, "g", T0));
            tx.steps().insertAll(List.of(step(id, "join", StepStatus.PENDING, deps, List.of())));
            return null;
        });
        List<Integer> seen = AtOnce.call(
                deps,
                Duration.ofSeconds(30),
                () -> store.inTransaction(
                        tx -> tx.steps().decrementPendingDeps(id, "join").pendingDeps()));
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void expired_leases_and_stranded_steps_are_found() {
        insertRunWithSteps(runId(1));
        StepRecord a = store.inTransaction(tx -> tx.steps().find(runId(1), "a")).orElseThrow();
        var r18 = store.inTransaction(tx -> tx.steps().findStranded(T0.plusSeconds(1), null, 10));
        assertThat(r18).extracting(StepRecord::name).containsExactly("a");
        store.inTransaction(tx -> {
            tx.intents().insertAll(List.of(new DispatchIntent("int_a", runId(1), "a", 1, T0, T0)));
            return null;
        });
        var r19 = store.inTransaction(tx -> tx.steps().findStranded(T0.plusSeconds(1), null, 10));
        assertThat(r19).isEmpty();
        StepRecord running = new StepRecord(
                a.runId(),
                "a",
                StepStatus.RUNNING,
                1,
                0,
                0,
                List.of(),
                "w1",
                T0.plusSeconds(30),
                null,
                T0,
                null,
                null,
                null,
                T0);
        store.inTransaction(tx -> tx.steps().update(running, StepStatus.QUEUED, 0));
        var r20 = store.inTransaction(tx -> tx.steps().findExpiredLeases(T0.plusSeconds(29), null, 10));
        assertThat(r20).isEmpty();
        var r21 = store.inTransaction(tx -> tx.steps().findExpiredLeases(T0.plusSeconds(31), null, 10));
        assertThat(r21).extracting(StepRecord::name).containsExactly("a");
    }

    @Test
    void sweeper_scans_skip_finished_runs_and_page_by_keyset() {
        String open = runId(1);
        String done = runId(2);
        store.inTransaction(tx -> {
            tx.runs().insert(run(open, "g", T0));
            tx.runs().insert(run(done, "g", T0));
            tx.runs().updateStatus(done, RunStatus.QUEUED, RunStatus.CANCELLED, T0, null);
            tx.steps()
                    .insertAll(List.of(
                            leased(open, "c", T0.plusSeconds(2)),
                            leased(open, "b", T0.plusSeconds(1)),
                            leased(open, "a", T0.plusSeconds(1)),
                            leased(done, "a", T0),
                            step(open, "q2", StepStatus.QUEUED, 0, List.of()),
                            step(open, "q1", StepStatus.QUEUED, 0, List.of()),
                            step(done, "q", StepStatus.QUEUED, 0, List.of())));
            return null;
        });
        Instant now = T0.plusSeconds(60);
        var first = store.inTransaction(tx -> tx.steps().findExpiredLeases(now, null, 2));
        assertThat(first).extracting(StepRecord::name).containsExactly("a", "b");
        StepRecord last = first.get(1);
        var second = store.inTransaction(tx ->
                tx.steps().findExpiredLeases(now, new StepCursor(last.leaseUntil(), last.runId(), last.name()), 2));
        assertThat(second).extracting(StepRecord::runId, StepRecord::name).containsExactly(tuple(open, "c"));

        var stranded = store.inTransaction(tx -> tx.steps().findStranded(now, null, 1));
        assertThat(stranded).extracting(StepRecord::runId, StepRecord::name).containsExactly(tuple(open, "q1"));
        var rest = store.inTransaction(tx -> tx.steps().findStranded(now, new StepCursor(T0, open, "q1"), 10));
        assertThat(rest).extracting(StepRecord::runId, StepRecord::name).containsExactly(tuple(open, "q2"));
    }

    private static StepRecord leased(String runId, String name, Instant leaseUntil) {
        return new StepRecord(
                runId, name, StepStatus.RUNNING, 1, 0, 0, List.of(), "w1", leaseUntil, null, T0, null, null, null, T0);
    }

    @Test
    void a_held_run_reads_as_stored_and_an_unknown_one_is_empty() {
        insertRunWithSteps(runId(1));
        var held = store.inTransaction(tx -> tx.runs().lock(runId(1)));
        assertThat(held).map(RunRecord::status).contains(RunStatus.QUEUED);
        var unknown = store.inTransaction(tx -> tx.runs().lock(runId(2)));
        assertThat(unknown).isEmpty();
    }

    @Test
    void artifacts_are_unique_per_run_step_and_key() {
        insertRunWithSteps(runId(1));
        ArtifactRecord first = new ArtifactRecord(runId(1), "a", "spec.md", "text/markdown", "v1".getBytes(), 1, T0);
        ArtifactRecord second = new ArtifactRecord(runId(1), "a", "spec.md", "text/markdown", "v2".getBytes(), 2, T0);
        var r22 = store.inTransaction(tx -> tx.artifacts().insertIfAbsent(first));
        assertThat(r22).isTrue();
        var r23 = store.inTransaction(tx -> tx.artifacts().insertIfAbsent(second));
        assertThat(r23).isFalse();
        var r24 = store.inTransaction(tx -> tx.artifacts().find(runId(1), "a", "spec.md"));
        assertThat(r24).contains(first);
        var r25 = store.inTransaction(tx -> tx.artifacts().list(runId(1)));
        assertThat(r25).singleElement().satisfies(s -> assertThat(s.size()).isEqualTo(2));
        var r26 = store.inTransaction(tx -> tx.artifacts().find(runId(1), "b", "spec.md"));
        assertThat(r26).isEmpty();
    }

    @Test
    void tool_calls_and_timeline_keep_their_order() {
        insertRunWithSteps(runId(1));
        List<ToolCallRecord> calls = List.of(
                new ToolCallRecord(runId(1), "a", 1, "search", json("{\"q\":\"x\"}"), json("[1,2]"), null, T0, 12),
                new ToolCallRecord(runId(1), "a", 1, "fetch", json("\"u\""), null, "java.io.IOException: down", T0, 3));
        List<TimelineEvent> events = List.of(
                new TimelineEvent(0, runId(1), T0, EventType.RUN_CREATED, null, null, json("{\"graph\":\"g\"}")),
                new TimelineEvent(0, runId(1), T0, EventType.STEP_QUEUED, "a", null, json("{}")),
                new TimelineEvent(0, runId(1), T0.plusSeconds(1), EventType.STEP_STARTED, "a", 1, json("{}")));
        store.inTransaction(tx -> {
            tx.toolCalls().insertAll(calls);
            tx.timeline().append(events);
            return null;
        });
        var r27 = store.inTransaction(tx -> tx.toolCalls().findByRun(runId(1)));
        assertThat(r27).containsExactlyElementsOf(calls);
        List<TimelineEvent> back = store.inTransaction(tx -> tx.timeline().findByRun(runId(1)));
        assertThat(back).extracting(TimelineEvent::seq).containsExactly(1L, 2L, 3L);
        assertThat(back)
                .extracting(TimelineEvent::type)
                .containsExactly(EventType.RUN_CREATED, EventType.STEP_QUEUED, EventType.STEP_STARTED);
        assertThat(back.get(2)).isEqualTo(events.get(2).withSeq(3));
    }

    @Test
    void intents_are_claimed_when_due_and_never_twice() throws Exception {
        insertRunWithSteps(runId(1));
        store.inTransaction(tx -> {
            List<DispatchIntent> list = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                list.add(new DispatchIntent(String.format("int_%026d", i), runId(1), "a", 1, T0.plusMillis(i), T0));
            }
            list.add(new DispatchIntent("int_later", runId(1), "b", 1, T0.plusSeconds(3600), T0));
            tx.intents().insertAll(list);
            return null;
        });
        var r28 = store.inTransaction(tx -> tx.intents().count());
        assertThat(r28).isEqualTo(41);
        var r29 = store.inTransaction(tx -> tx.intents().nextDueAt());
        assertThat(r29).contains(T0);
        Set<String> claimed = ConcurrentHashMap.newKeySet();
        AtomicInteger total = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                fs.add(pool.submit(() -> {
                    // An empty claim is no proof of an empty queue: the claim skips intents whose run another
                    // claimer holds at that moment.
                    while (total.get() < 40 && System.nanoTime() < deadline) {
                        List<DispatchIntent> got =
                                store.inTransaction(tx -> tx.intents().claimDue(T0.plusSeconds(1), 3));
                        got.forEach(i -> claimed.add(i.id()));
                        total.addAndGet(got.size());
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(total.get()).isEqualTo(40);
        assertThat(claimed).hasSize(40).doesNotContain("int_later");
        var r30 = store.inTransaction(tx -> tx.intents().count());
        assertThat(r30).isEqualTo(1);
        var r31 = store.inTransaction(tx -> tx.intents().lease("relay", T0, T0.plusSeconds(30), 10));
        assertThat(r31).extracting(DispatchIntent::id).containsExactly("int_later");
        store.inTransaction(tx -> {
            tx.intents().delete(List.of("int_later", "int_missing"));
            return null;
        });
        var r32 = store.inTransaction(tx -> tx.intents().count());
        assertThat(r32).isZero();
    }

    @Test
    void intents_are_leased_oldest_first_once_until_the_lease_runs_out_or_they_are_offered_again() {
        insertRunWithSteps(runId(1));
        store.inTransaction(tx -> {
            tx.intents()
                    .insertAll(List.of(
                            new DispatchIntent("int_1", runId(1), "a", 1, T0.plusSeconds(60), T0),
                            new DispatchIntent("int_2", runId(1), "b", 3, T0, T0.plusMillis(1)),
                            new DispatchIntent("int_3", runId(1), "a", 2, T0, T0.plusMillis(2))));
            return null;
        });
        var nothingLeased = store.read(tx -> tx.intents().nextLeasableAt());
        assertThat(nothingLeased).contains(T0);
        var first = store.inTransaction(tx -> tx.intents().lease("relay-a", T0, T0.plusSeconds(30), 2));
        assertThat(first)
                .extracting(DispatchIntent::id, DispatchIntent::attempt)
                .containsExactly(tuple("int_1", 1), tuple("int_2", 3));
        var second =
                store.inTransaction(tx -> tx.intents().lease("relay-b", T0.plusSeconds(1), T0.plusSeconds(31), 10));
        assertThat(second).extracting(DispatchIntent::id).containsExactly("int_3");
        var none = store.inTransaction(tx -> tx.intents().lease("relay-b", T0.plusSeconds(2), T0.plusSeconds(32), 10));
        assertThat(none).isEmpty();
        var allLeased = store.read(tx -> tx.intents().nextLeasableAt());
        assertThat(allLeased).contains(T0.plusSeconds(30));

        store.inTransaction(tx -> {
            tx.intents().releaseUntil(List.of("int_2"), T0.plusSeconds(5));
            return null;
        });
        var tooEarly =
                store.inTransaction(tx -> tx.intents().lease("relay-b", T0.plusSeconds(4), T0.plusSeconds(40), 10));
        assertThat(tooEarly).isEmpty();
        var offeredAgain =
                store.inTransaction(tx -> tx.intents().lease("relay-b", T0.plusSeconds(5), T0.plusSeconds(40), 10));
        assertThat(offeredAgain).extracting(DispatchIntent::id).containsExactly("int_2");
        var expired =
                store.inTransaction(tx -> tx.intents().lease("relay-c", T0.plusSeconds(30), T0.plusSeconds(60), 10));
        assertThat(expired).extracting(DispatchIntent::id).containsExactly("int_1");
        var found = store.read(tx -> tx.intents().find("int_3"));
        assertThat(found).map(DispatchIntent::attempt).contains(2);
        var missing = store.read(tx -> tx.intents().find("int_missing"));
        assertThat(missing).isEmpty();
    }

    @Test
    void intents_are_deleted_by_step_and_by_run() {
        insertRunWithSteps(runId(1));
        store.inTransaction(tx -> {
            tx.intents()
                    .insertAll(List.of(
                            new DispatchIntent("int_1", runId(1), "a", 1, T0, T0),
                            new DispatchIntent("int_2", runId(1), "a", 1, T0, T0),
                            new DispatchIntent("int_3", runId(1), "b", 1, T0, T0)));
            return null;
        });
        var r33 = store.inTransaction(tx -> tx.intents().deleteForStep(runId(1), "a"));
        assertThat(r33).isEqualTo(2);
        var r34 = store.inTransaction(tx -> tx.intents().deleteForRun(runId(1)));
        assertThat(r34).isEqualTo(1);
        var r35 = store.inTransaction(tx -> tx.intents().nextDueAt());
        assertThat(r35).isEmpty();
    }

    @Test
    void graph_versions_are_recorded_once() {
        GraphVersionRecord v1 = new GraphVersionRecord("g", 1, "sha256:aa", json("{\"steps\":[]}"), T0);
        var r36 = store.inTransaction(tx -> tx.graphVersions().insertIfAbsent(v1));
        assertThat(r36).isTrue();
        var r37 = store.inTransaction(
                tx -> tx.graphVersions().insertIfAbsent(new GraphVersionRecord("g", 1, "sha256:bb", json("{}"), T0)));
        assertThat(r37).isFalse();
        var r38 = store.inTransaction(tx -> tx.graphVersions().find("g", 1));
        assertThat(r38).contains(v1);
        var r39 = store.inTransaction(tx -> tx.graphVersions().list());
        assertThat(r39).containsExactly(v1);
    }

    @Test
    void unfinished_graph_versions_are_listed() {
        store.inTransaction(tx -> {
            tx.runs().insert(run(runId(1), "g", T0));
            tx.runs().insert(run(runId(2), "h", T0));
            tx.runs().updateStatus(runId(2), RunStatus.QUEUED, RunStatus.CANCELLED, T0, null);
            return null;
        });
        var r40 = store.inTransaction(tx -> tx.runs().unfinishedGraphVersions());
        assertThat(r40).containsExactly(new io.durableruns.ports.model.GraphVersionRef("g", 1));
    }

    @Test
    void runs_are_counted_per_status_up_to_the_cap_and_per_graph() {
        store.inTransaction(tx -> {
            for (int i = 1; i <= 5; i++) {
                tx.runs().insert(run(runId(i), i <= 3 ? "g" : "h", T0.plusSeconds(i)));
            }
            tx.runs().updateStatus(runId(1), RunStatus.QUEUED, RunStatus.FAILED, T0, null);
            tx.runs().updateStatus(runId(4), RunStatus.QUEUED, RunStatus.SUCCEEDED, T0, null);
            return null;
        });
        Map<RunStatus, Long> all = store.read(tx -> tx.runs().countByStatus(null, 100));
        assertThat(all).containsEntry(RunStatus.QUEUED, 3L).containsEntry(RunStatus.FAILED, 1L);
        assertThat(all).containsEntry(RunStatus.SUCCEEDED, 1L);
        assertThat(all.getOrDefault(RunStatus.RUNNING, 0L)).isZero();
        Map<RunStatus, Long> capped = store.read(tx -> tx.runs().countByStatus(null, 2));
        assertThat(capped).containsEntry(RunStatus.QUEUED, 2L).containsEntry(RunStatus.FAILED, 1L);
        Map<RunStatus, Long> ofG = store.read(tx -> tx.runs().countByStatus("g", 100));
        assertThat(ofG).containsEntry(RunStatus.QUEUED, 2L).containsEntry(RunStatus.FAILED, 1L);
        assertThat(ofG.getOrDefault(RunStatus.SUCCEEDED, 0L)).isZero();
    }

    @Test
    void unfinished_runs_are_counted_per_graph_version() {
        store.inTransaction(tx -> {
            tx.runs().insert(run(runId(1), "g", T0));
            tx.runs().insert(run(runId(2), "g", T0));
            tx.runs().insert(run(runId(3), "h", T0));
            tx.runs().insert(run(runId(4), "k", T0));
            tx.runs().updateStatus(runId(2), RunStatus.QUEUED, RunStatus.RUNNING, T0, null);
            tx.runs().updateStatus(runId(4), RunStatus.QUEUED, RunStatus.CANCELLED, T0, null);
            return null;
        });
        var counts = store.read(tx -> tx.runs().countUnfinishedByGraphVersion());
        assertThat(counts)
                .containsOnly(
                        Map.entry(new io.durableruns.ports.model.GraphVersionRef("g", 1), 2L),
                        Map.entry(new io.durableruns.ports.model.GraphVersionRef("h", 1), 1L));
    }

    @Test
    void runs_are_found_by_the_beginning_of_their_id() {
        String a = "run_01jx0000000000000000000001";
        String b = "run_01jx0000000000000000000002";
        String c = "run_01jy0000000000000000000003";
        store.inTransaction(tx -> {
            tx.runs().insert(run(a, "g", T0));
            tx.runs().insert(run(b, "g", T0.plusSeconds(1)));
            tx.runs().insert(run(c, "g", T0.plusSeconds(2)));
            return null;
        });
        List<RunRecord> jx = store.read(tx -> tx.runs().list(new RunFilter(null, null, "run_01jx"), null, 10));
        assertThat(jx).extracting(RunRecord::id).containsExactly(b, a);
        List<RunRecord> exact = store.read(tx -> tx.runs().list(new RunFilter(null, "g", c), null, 10));
        assertThat(exact).extracting(RunRecord::id).containsExactly(c);
        List<RunRecord> none = store.read(tx -> tx.runs().list(new RunFilter(null, null, "run_01jz"), null, 10));
        assertThat(none).isEmpty();
    }

    @Test
    void step_summaries_of_several_runs_are_found_by_status() {
        insertRunWithSteps(runId(1));
        insertRunWithSteps(runId(2));
        insertRunWithSteps(runId(3));
        var summaries = store.read(tx ->
                tx.steps().findSummaries(List.of(runId(1), runId(2)), Set.of(StepStatus.QUEUED, StepStatus.PENDING)));
        assertThat(summaries)
                .containsExactlyInAnyOrder(
                        new StepSummary(runId(1), "a", StepStatus.QUEUED, 0),
                        new StepSummary(runId(1), "b", StepStatus.PENDING, 0),
                        new StepSummary(runId(2), "a", StepStatus.QUEUED, 0),
                        new StepSummary(runId(2), "b", StepStatus.PENDING, 0));
        assertThat(summaries.stream().filter(s -> s.runId().equals(runId(1))))
                .extracting(StepSummary::name)
                .containsExactly("a", "b");
        var failed = store.read(tx -> tx.steps().findSummaries(List.of(runId(1)), Set.of(StepStatus.FAILED)));
        assertThat(failed).isEmpty();
        var noRuns = store.read(tx -> tx.steps().findSummaries(List.of(), Set.of(StepStatus.QUEUED)));
        assertThat(noRuns).isEmpty();
    }

    // ---- the engine over this store ------------------------------------------------------------------------

    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    private static int calls(String runId, String step) {
        return CALLS.getOrDefault(runId + "/" + step, new AtomicInteger()).get();
    }

    private static Object count(io.durableruns.core.StepContext ctx, Object out) {
        CALLS.computeIfAbsent(ctx.runId() + "/" + ctx.stepName(), k -> new AtomicInteger())
                .incrementAndGet();
        return out;
    }

    private static StepGraph diamond(CountDownLatch bothRunning) {
        return StepGraph.builder("diamond", 1)
                .step("a", ctx -> count(ctx, Map.of("n", 1)))
                .step("b", List.of("a"), ctx -> {
                    bothRunning.countDown();
                    bothRunning.await(5, TimeUnit.SECONDS);
                    return count(ctx, Map.of("b", ctx.output("a").get("n").asInt() + 1));
                })
                .step("c", List.of("a"), ctx -> {
                    bothRunning.countDown();
                    bothRunning.await(5, TimeUnit.SECONDS);
                    return count(ctx, Map.of("c", ctx.output("a").get("n").asInt() + 2));
                })
                .step("d", List.of("b", "c"), ctx -> {
                    ctx.artifacts()
                            .putText(
                                    "result.txt",
                                    "text/plain",
                                    "b=" + ctx.output("b").get("b") + " c="
                                            + ctx.output("c").get("c"));
                    return count(
                            ctx,
                            Map.of(
                                    "sum",
                                    ctx.output("b").get("b").asInt()
                                            + ctx.output("c").get("c").asInt()));
                })
                .build();
    }

    private static StepGraph retrying() {
        return StepGraph.builder("retrying", 1)
                .step(StepDefinition.named("fetch")
                        .retry(RetryPolicy.newBuilder()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofSeconds(2))
                                .jitter(0)
                                .nonRetryable(IllegalArgumentException.class)
                                .build())
                        .handler(ctx -> {
                            ctx.tools().call("http", Map.of("attempt", ctx.attempt()), () -> "ok");
                            ctx.artifacts().putText("page.html", "text/html", "<p>" + ctx.attempt() + "</p>");
                            return count(ctx, Map.of("attempt", ctx.attempt()));
                        }))
                .step("after", List.of("fetch"), ctx -> count(ctx, "done"))
                .build();
    }

    private RunTestKit kit(StepGraph... graphs) {
        GraphRegistry registry = new GraphRegistry();
        for (StepGraph g : graphs) {
            registry.register(g);
        }
        return RunTestKit.over(store, registry, new SettableClock(T0));
    }

    @Test
    void a_diamond_runs_its_join_exactly_once_when_both_branches_finish_together() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        RunTestKit kit = kit(diamond(bothRunning));
        String id = kit.start("diamond", Map.of());
        assertThat(kit.deliver(id, "a")).isInstanceOf(DeliveryOutcome.Done.class);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<DeliveryOutcome> b = pool.submit(() -> kit.deliver(id, "b"));
            Future<DeliveryOutcome> c = pool.submit(() -> kit.deliver(id, "c"));
            assertThat(b.get(30, TimeUnit.SECONDS)).isInstanceOf(DeliveryOutcome.Done.class);
            assertThat(c.get(30, TimeUnit.SECONDS)).isInstanceOf(DeliveryOutcome.Done.class);
        } finally {
            pool.shutdownNow();
        }
        kit.runUntilIdle();
        RunDetails run = kit.run(id);
        assertThat(run.run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(calls(id, "d")).isEqualTo(1);
        assertThat(run.run().output().get("d").get("sum").asInt()).isEqualTo(5);
        assertThat(kit.timeline(id).stream().filter(e -> e.type() == EventType.STEP_QUEUED && "d".equals(e.step())))
                .hasSize(1);
        assertThat(kit.artifactText(id, "d", "result.txt")).isEqualTo("b=2 c=3");
    }

    @Test
    void a_step_delivered_five_times_at_once_runs_its_handler_once_and_leaves_one_artifact() {
        RunTestKit kit = kit(retrying());
        String id = kit.start("retrying", Map.of());
        List<DeliveryOutcome> outcomes = kit.deliverConcurrently(id, "fetch", 5);
        assertThat(outcomes).filteredOn(o -> o instanceof DeliveryOutcome.Done).hasSize(1);
        assertThat(outcomes).allSatisfy(o -> assertThat(o)
                .isInstanceOfAny(
                        DeliveryOutcome.Done.class, DeliveryOutcome.Busy.class, DeliveryOutcome.Duplicate.class));
        assertThat(calls(id, "fetch")).isEqualTo(1);
        assertThat(kit.deliver(id, "fetch")).isInstanceOf(DeliveryOutcome.Duplicate.class);
        kit.runUntilIdle();
        assertThat(kit.artifacts(id)).hasSize(1);
        assertThat(kit.toolCalls(id)).hasSize(1);
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void a_crash_between_executing_and_committing_leaves_nothing_and_the_rerun_commits_once() {
        RunTestKit kit = kit(retrying()).crashBeforeCommit("fetch", 1);
        String id = kit.start("retrying", Map.of());
        kit.runDueNow();
        assertThat(calls(id, "fetch")).isEqualTo(1);
        assertThat(kit.step(id, "fetch").status()).isEqualTo(StepStatus.RUNNING);
        assertThat(kit.artifacts(id)).isEmpty();
        assertThat(kit.toolCalls(id)).isEmpty();
        kit.runUntilIdle();
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(calls(id, "fetch")).isEqualTo(2);
        assertThat(kit.artifacts(id)).singleElement().satisfies(a -> assertThat(a.key())
                .isEqualTo("page.html"));
        assertThat(kit.artifactText(id, "fetch", "page.html")).isEqualTo("<p>2</p>");
        assertThat(kit.timelineTypes(id)).contains(EventType.STEP_LEASE_EXPIRED);
    }

    @Test
    void two_failures_then_success_leaves_both_failures_in_the_timeline() {
        RunTestKit kit = kit(retrying()).failAttempts("fetch", 2, new IOException("upstream 503"));
        String id = kit.start("retrying", Map.of());
        kit.runUntilIdle();
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        StepRecord fetch = kit.step(id, "fetch");
        assertThat(fetch.attempt()).isEqualTo(3);
        List<TimelineEvent> failures = kit.timeline(id).stream()
                .filter(e -> e.type() == EventType.STEP_FAILED)
                .toList();
        assertThat(failures).extracting(TimelineEvent::attempt).containsExactly(1, 2);
        assertThat(failures).allSatisfy(e -> {
            assertThat(e.data().get("errorType").asText()).isEqualTo("java.io.IOException");
            assertThat(e.data().get("message").asText()).isEqualTo("upstream 503");
        });
        List<TimelineEvent> retries = kit.timeline(id).stream()
                .filter(e -> e.type() == EventType.STEP_RETRY_SCHEDULED)
                .toList();
        assertThat(retries).extracting(e -> e.data().get("backoffMs").asLong()).containsExactly(2000L, 4000L);
    }

    @Test
    void a_non_retryable_exception_fails_the_step_at_once() {
        RunTestKit kit = kit(retrying()).failAttempts("fetch", 1, new IllegalArgumentException("bad url"));
        String id = kit.start("retrying", Map.of());
        kit.runUntilIdle();
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(kit.step(id, "fetch").attempt()).isEqualTo(1);
        assertThat(kit.step(id, "fetch").error().type()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(kit.step(id, "after").status()).isEqualTo(StepStatus.CANCELLED);
    }

    @Test
    void a_non_retryable_step_exception_fails_whatever_the_policy() {
        RunTestKit kit = kit(retrying()).failAttempts("fetch", 1, new NonRetryableStepException("refused"));
        String id = kit.start("retrying", Map.of());
        kit.runUntilIdle();
        assertThat(kit.step(id, "fetch").status()).isEqualTo(StepStatus.FAILED);
        assertThat(kit.step(id, "fetch").attempt()).isEqualTo(1);
    }

    @Test
    void exhausted_attempts_fail_the_run_and_a_manual_retry_succeeds_keeping_earlier_attempts() {
        RunTestKit kit = kit(retrying()).failAttempts("fetch", 3, new IOException("down"));
        String id = kit.start("retrying", Map.of());
        kit.runUntilIdle();
        RunDetails failed = kit.run(id);
        assertThat(failed.run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.run().finishedAt()).isNotNull();
        assertThat(kit.step(id, "fetch").attempt()).isEqualTo(3);
        assertThat(kit.step(id, "after").status()).isEqualTo(StepStatus.CANCELLED);

        kit.clearFaults();
        RunDetails retried = kit.engine().retry(id);
        assertThat(retried.run().status()).isEqualTo(RunStatus.QUEUED);
        assertThat(retried.step("fetch").orElseThrow().status()).isEqualTo(StepStatus.QUEUED);
        assertThat(retried.step("after").orElseThrow().status()).isEqualTo(StepStatus.PENDING);
        kit.runUntilIdle();
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.step(id, "fetch").attempt()).isEqualTo(4);
        List<TimelineEvent> failures = kit.timeline(id).stream()
                .filter(e -> e.type() == EventType.STEP_FAILED)
                .toList();
        assertThat(failures).extracting(TimelineEvent::attempt).containsExactly(1, 2, 3);
        assertThat(kit.timelineTypes(id))
                .containsSubsequence(
                        EventType.RUN_FAILED,
                        EventType.RUN_RETRIED,
                        EventType.STEP_STARTED,
                        EventType.STEP_SUCCEEDED,
                        EventType.RUN_SUCCEEDED);
        assertThatThrownBy(() -> kit.engine().retry(id)).isInstanceOf(RunStateConflictException.class);
    }

    @Test
    void a_retry_gets_a_fresh_budget_of_attempts() {
        RunTestKit kit = kit(retrying()).failAttempts("fetch", 5, new IOException("down"));
        String id = kit.start("retrying", Map.of());
        kit.runUntilIdle();
        kit.engine().retry(id);
        kit.runUntilIdle();
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.step(id, "fetch").attempt()).isEqualTo(6);
    }

    @Test
    void cancel_stops_further_steps() {
        RunTestKit kit = kit(retrying());
        String id = kit.start("retrying", Map.of());
        assertThat(kit.deliver(id, "fetch")).isInstanceOf(DeliveryOutcome.Done.class);
        RunDetails cancelled = kit.engine().cancel(id);
        assertThat(cancelled.run().status()).isEqualTo(RunStatus.CANCELLED);
        kit.runUntilIdle();
        assertThat(calls(id, "after")).isZero();
        assertThat(kit.step(id, "after").status()).isEqualTo(StepStatus.CANCELLED);
        assertThat(kit.deliver(id, "after")).isInstanceOf(DeliveryOutcome.Ignored.class);
        assertThatThrownBy(() -> kit.engine().cancel(id)).isInstanceOf(RunStateConflictException.class);
        var r41 = store.inTransaction(tx -> tx.intents().count());
        assertThat(r41).isZero();
    }

    @Test
    void the_same_idempotency_key_returns_the_same_run_and_another_request_conflicts() {
        RunTestKit kit = kit(retrying());
        JsonNode input = json("{\"topic\":\"a\",\"list\":[1,2]}");
        var first = kit.engine().create(new CreateRunCommand("retrying", null, input, "req-1"));
        var again = kit.engine()
                .create(new CreateRunCommand("retrying", null, json("{\"list\":[1,2],\"topic\":\"a\"}"), "req-1"));
        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.run().run().id()).isEqualTo(first.run().run().id());
        assertThatThrownBy(() ->
                        kit.engine().create(new CreateRunCommand("retrying", null, json("{\"topic\":\"b\"}"), "req-1")))
                .isInstanceOf(IdempotencyConflictException.class);
        assertThat(kit.engine().list(RunListQuery.firstPage()).runs()).hasSize(1);
    }

    @Test
    void create_all_commits_every_run_or_none() {
        RunTestKit kit = kit(retrying());
        var earlier = kit.engine().create(new CreateRunCommand("retrying", null, json("{\"topic\":\"a\"}"), "req-1"));

        List<CreateRunResult> results = kit.engine()
                .createAll(List.of(
                        new CreateRunCommand("retrying", null, json("{\"topic\":\"x\"}"), null),
                        new CreateRunCommand("retrying", null, json("{\"topic\":\"y\"}"), "req-2"),
                        new CreateRunCommand("retrying", null, json("{\"topic\":\"a\"}"), "req-1"),
                        new CreateRunCommand("retrying", null, json("{\"topic\":\"y\"}"), "req-2")));
        assertThat(results).extracting(CreateRunResult::created).containsExactly(true, true, false, false);
        assertThat(results.get(2).run().run().id())
                .isEqualTo(earlier.run().run().id());
        assertThat(results.get(3).run().run().id())
                .isEqualTo(results.get(1).run().run().id());
        assertThat(results.get(0).run().steps())
                .extracting(StepRecord::status)
                .containsExactly(StepStatus.QUEUED, StepStatus.PENDING);
        assertThat(kit.runUntilIdle()).isEqualTo(6);
        for (CreateRunResult r : results) {
            assertThat(kit.run(r.run().run().id()).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        }

        // A key used for another request, earlier or in the same list: nothing of the call is written.
        assertThatThrownBy(() -> kit.engine()
                        .createAll(List.of(
                                new CreateRunCommand("retrying", null, json("{\"topic\":\"z\"}"), null),
                                new CreateRunCommand("retrying", null, json("{\"topic\":\"b\"}"), "req-1"))))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("req-1");
        assertThatThrownBy(() -> kit.engine()
                        .createAll(List.of(
                                new CreateRunCommand("retrying", null, json("{\"topic\":\"p\"}"), "req-3"),
                                new CreateRunCommand("retrying", null, json("{\"topic\":\"q\"}"), "req-3"))))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("req-3");
        assertThat(kit.engine().list(RunListQuery.firstPage()).runs())
                .extracting(r -> r.input().path("topic").asText())
                .containsExactlyInAnyOrder("a", "x", "y");
        // The key of the rolled-back call was not kept: it is free for another request.
        assertThat(kit.engine()
                        .create(new CreateRunCommand("retrying", null, json("{\"topic\":\"q\"}"), "req-3"))
                        .created())
                .isTrue();
        assertThat(kit.engine().createAll(List.of())).isEmpty();
    }

    @Test
    void create_all_takes_as_many_runs_as_one_call_allows() {
        RunTestKit kit = kit(retrying());
        List<CreateRunCommand> commands = new ArrayList<>();
        for (int i = 0; i < CreateRunUseCase.MAX_RUNS_PER_CALL; i++) {
            commands.add(
                    new CreateRunCommand("retrying", null, json("{\"i\":" + i + "}"), i % 2 == 0 ? "k-" + i : null));
        }
        List<CreateRunResult> results = kit.engine().createAll(commands);
        assertThat(results).hasSize(CreateRunUseCase.MAX_RUNS_PER_CALL).allSatisfy(r -> assertThat(r.created())
                .isTrue());
        assertThat(results.get(999).run().run().input().path("i").asInt()).isEqualTo(999);
        assertThat(kit.engine().countRuns(null).count(RunStatus.QUEUED))
                .isEqualTo((long) CreateRunUseCase.MAX_RUNS_PER_CALL);
        assertThat(kit.timeline(results.get(999).run().run().id())).hasSize(2);
        assertThat(kit.run(results.get(500).run().run().id()).steps()).hasSize(2);
    }

    @Test
    void concurrent_creations_each_get_the_outcome_they_would_get_alone() throws Exception {
        RunTestKit kit = kit(retrying());
        int callers = 8;
        int perCaller = 30;
        // Per caller: unkeyed runs, a key of its own, a key every caller shares with the same input, and a key
        // every caller shares with an input of its own (so all but the first of those conflict).
        AtomicInteger nextCaller = new AtomicInteger();
        Callable<List<Object>> work = () -> {
            int caller = nextCaller.getAndIncrement();
            List<Object> outcomes = new ArrayList<>();
            for (int i = 0; i < perCaller; i++) {
                String key;
                JsonNode input;
                switch (i % 4) {
                    case 0 -> {
                        key = null;
                        input = json("{\"c\":" + caller + ",\"i\":" + i + "}");
                    }
                    case 1 -> {
                        key = "own-" + caller + "-" + i;
                        input = json("{\"c\":" + caller + ",\"i\":" + i + "}");
                    }
                    case 2 -> {
                        key = "shared-" + i;
                        input = json("{\"i\":" + i + "}");
                    }
                    default -> {
                        key = "contested-" + i;
                        input = json("{\"c\":" + caller + "}");
                    }
                }
                try {
                    outcomes.add(kit.engine().create(new CreateRunCommand("retrying", null, input, key)));
                } catch (IdempotencyConflictException e) {
                    outcomes.add(key);
                }
            }
            return outcomes;
        };
        List<List<Object>> results = AtOnce.call(callers, Duration.ofSeconds(60), work);
        Map<String, Set<String>> runsByKey = new ConcurrentHashMap<>();
        Map<String, Integer> createdByKey = new ConcurrentHashMap<>();
        int unkeyed = 0;
        int conflicts = 0;
        for (List<Object> outcomes : results) {
            for (int i = 0; i < perCaller; i++) {
                Object o = outcomes.get(i);
                if (o instanceof String key) {
                    assertThat(key).startsWith("contested-");
                    conflicts++;
                    continue;
                }
                var created = (io.durableruns.ports.in.CreateRunResult) o;
                RunRecord run = created.run().run();
                assertThat(created.run().steps()).hasSize(2);
                assertThat(kit.run(run.id()).run().input()).isEqualTo(run.input());
                if (run.idempotencyKey() == null) {
                    assertThat(created.created()).isTrue();
                    unkeyed++;
                } else {
                    runsByKey
                            .computeIfAbsent(run.idempotencyKey(), k -> ConcurrentHashMap.newKeySet())
                            .add(run.id());
                    createdByKey.merge(run.idempotencyKey(), created.created() ? 1 : 0, Integer::sum);
                }
            }
        }
        int[] perKind = new int[4];
        for (int i = 0; i < perCaller; i++) {
            perKind[i % 4]++;
        }
        assertThat(runsByKey.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
        assertThat(createdByKey.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
        assertThat(unkeyed).isEqualTo(callers * perKind[0]);
        assertThat(conflicts).isEqualTo((callers - 1) * perKind[3]);
        assertThat(runsByKey).hasSize(callers * perKind[1] + perKind[2] + perKind[3]);
        long stored = kit.engine()
                .list(new RunListQuery(RunFilter.any(), RunListQuery.MAX_LIMIT, null))
                .runs()
                .size();
        assertThat(stored).isEqualTo(unkeyed + runsByKey.size());
    }

    @Test
    void an_input_with_a_number_json_cannot_carry_is_refused_and_stores_nothing() {
        RunTestKit kit = kit(retrying());
        ObjectNode deep = JSON.createObjectNode();
        ObjectNode inner = deep;
        for (int i = 0; i < 1_000; i++) {
            inner = inner.putObject("x");
        }
        List<JsonNode> inputs = List.of(
                JSON.createObjectNode().put("x", Double.NaN),
                JSON.createObjectNode().put("x", Double.NEGATIVE_INFINITY),
                JSON.createObjectNode().put("x", Float.POSITIVE_INFINITY),
                JSON.createObjectNode().put("x", new BigDecimal("1E+400")),
                JSON.createObjectNode().put("x", new BigDecimal("-1E+999999999")),
                JSON.createObjectNode().put("x", new BigDecimal("1E-999999999")),
                JSON.createObjectNode().put("x", new BigDecimal("0." + "1".repeat(1_001))),
                JSON.createObjectNode().put("x", new BigInteger("9".repeat(1_001))),
                JSON.createObjectNode().set("x", JSON.createArrayNode().add(1).add(Double.NaN)),
                deep);
        for (JsonNode input : inputs) {
            assertThatThrownBy(() -> kit.engine().create(new CreateRunCommand("retrying", null, input, null)))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("'input'")
                    .hasMessageContaining("/x");
        }
        assertThat(kit.engine().list(RunListQuery.firstPage()).runs()).isEmpty();
    }

    @Test
    void the_widest_numbers_json_carries_read_back_as_the_same_numbers() {
        RunTestKit kit = kit(retrying());
        BigInteger thousandDigits = new BigInteger("9".repeat(1_000));
        ObjectNode input = JSON.createObjectNode()
                .put("max", Double.MAX_VALUE)
                .put("min", -Double.MAX_VALUE)
                .put("tiny", Double.MIN_VALUE)
                .put("decimal", new BigDecimal("-1.7976931348623157E+308"))
                .put("integer", thousandDigits);
        String id = kit.engine()
                .create(new CreateRunCommand("retrying", null, input, null))
                .run()
                .run()
                .id();
        JsonNode back = kit.run(id).run().input();
        assertThat(back.path("max").doubleValue()).isEqualTo(Double.MAX_VALUE);
        assertThat(back.path("min").doubleValue()).isEqualTo(-Double.MAX_VALUE);
        assertThat(back.path("tiny").doubleValue()).isEqualTo(Double.MIN_VALUE);
        assertThat(back.path("decimal").doubleValue()).isEqualTo(-Double.MAX_VALUE);
        assertThat(back.path("integer").bigIntegerValue()).isEqualTo(thousandDigits);
    }

    @Test
    void changing_the_input_tree_after_the_command_is_made_changes_neither_the_command_nor_the_run() {
        RunTestKit kit = kit(retrying());
        ObjectNode input = JSON.createObjectNode().put("topic", "a");
        CreateRunCommand command = new CreateRunCommand("retrying", null, input, null);
        input.put("topic", "b").put("x", Double.NaN);
        String id = kit.engine().create(command).run().run().id();
        input.put("topic", "c");
        assertThat(kit.run(id).run().input()).isEqualTo(json("{\"topic\":\"a\"}"));
    }

    @Test
    void a_run_created_on_version_one_finishes_on_version_one_after_version_two_is_registered() {
        StepGraph v1 =
                StepGraph.builder("versioned", 1).step("only", ctx -> "v1").build();
        StepGraph v2 = StepGraph.builder("versioned", 2)
                .step("only", ctx -> "v2")
                .step("extra", List.of("only"), ctx -> "x")
                .build();
        RunTestKit kit = kit(v1);
        String id = kit.start("versioned", Map.of());
        kit.engine().registry().register(v2);
        kit.runUntilIdle();
        RunDetails run = kit.run(id);
        assertThat(run.run().version()).isEqualTo(1);
        assertThat(run.steps()).extracting(StepRecord::name).containsExactly("only");
        assertThat(run.run().output().get("only").asText()).isEqualTo("v1");
        String newer = kit.start("versioned", Map.of());
        assertThat(kit.run(newer).run().version()).isEqualTo(2);
    }

    @Test
    void a_changed_structure_under_a_known_version_is_refused_at_start_up() {
        kit(StepGraph.builder("drift", 1).step("a", ctx -> 1).build());
        GraphRegistry changed = new GraphRegistry()
                .register(StepGraph.builder("drift", 1)
                        .step("a", ctx -> 1)
                        .step("b", List.of("a"), ctx -> 2)
                        .build());
        assertThatThrownBy(
                        () -> RunEngine.builder().store(store).registry(changed).build())
                .isInstanceOf(GraphVersionConflictException.class)
                .hasMessageContaining("bump the version");
    }

    /**
     * Records {@code rival} as another process would between this process's read of the graph versions and
     * its insert. A store that runs one transaction at a time can only have it committed before; stores
     * whose transactions interleave override this to commit it from a transaction of their own.
     */
    protected void recordMeanwhile(StoreTransaction current, GraphVersionRecord rival) {
        current.graphVersions().insertIfAbsent(rival);
    }

    private GraphVersionRace raceOn(StepGraph rival) {
        return new GraphVersionRace(
                store,
                new GraphVersionRecord(rival.name(), rival.version(), rival.fingerprint(), json("{\"steps\":[]}"), T0),
                this::recordMeanwhile);
    }

    @Test
    void a_version_another_process_records_with_another_structure_while_this_one_starts_is_refused() {
        StepGraph mine = StepGraph.builder("raced", 1).step("a", ctx -> 1).build();
        StepGraph theirs = StepGraph.builder("raced", 1)
                .step("a", ctx -> 1)
                .step("b", List.of("a"), ctx -> 2)
                .build();
        GraphVersionRace race = raceOn(theirs);

        assertThatThrownBy(() -> RunEngine.builder()
                        .store(race.store())
                        .registry(new GraphRegistry().register(mine))
                        .build())
                .isInstanceOf(GraphVersionConflictException.class)
                .hasMessage(new GraphVersionConflictException("raced", 1, theirs.fingerprint(), mine.fingerprint())
                        .getMessage());
        assertThat(race.raced()).isTrue();
        var recorded = store.inTransaction(tx -> tx.graphVersions().list());
        assertThat(recorded).extracting(GraphVersionRecord::fingerprint).doesNotContain(mine.fingerprint());
    }

    @Test
    void a_version_another_process_records_with_the_same_structure_while_this_one_starts_is_accepted() {
        StepGraph same = StepGraph.builder("raced", 1).step("a", ctx -> 1).build();
        GraphVersionRace race = raceOn(same);

        RunEngine engine = RunEngine.builder()
                .store(race.store())
                .registry(new GraphRegistry().register(same))
                .build();

        assertThat(race.raced()).isTrue();
        assertThat(engine.startupReport().recorded()).isEmpty();
        var recorded = store.inTransaction(tx -> tx.graphVersions().list());
        assertThat(recorded).extracting(GraphVersionRecord::fingerprint).containsExactly(same.fingerprint());
    }

    @Test
    void start_up_records_new_graph_versions_and_reports_unfinished_runs_of_unregistered_ones() {
        StepGraph v1 = StepGraph.builder("reconciled", 1).step("a", ctx -> 1).build();
        RunTestKit kit = kit(v1);
        var recorded = store.inTransaction(tx -> tx.graphVersions().find("reconciled", 1));
        assertThat(recorded).isPresent();
        assertThat(recorded.get().fingerprint()).isEqualTo(v1.fingerprint());
        assertThat(recorded.get()
                        .description()
                        .path("steps")
                        .get(0)
                        .path("name")
                        .asText())
                .isEqualTo("a");
        kit.start("reconciled", Map.of());

        StepGraph v2 = StepGraph.builder("reconciled", 2)
                .step("a", ctx -> 1)
                .step("b", List.of("a"), ctx -> 2)
                .build();
        RunEngine onlyV2 = RunEngine.builder()
                .store(store)
                .registry(new GraphRegistry().register(v2))
                .build();
        assertThat(onlyV2.startupReport().recorded())
                .containsExactly(new io.durableruns.ports.model.GraphVersionRef("reconciled", 2));
        assertThat(onlyV2.startupReport().unregisteredWithUnfinishedRuns())
                .containsExactly(new io.durableruns.ports.model.GraphVersionRef("reconciled", 1));
    }

    @Test
    void a_worker_commit_claims_the_next_step_in_the_same_transaction() {
        RunTestKit kit = kit(retrying());
        String first = kit.start("retrying", Map.of());
        String second = kit.start("retrying", Map.of());
        var leases = kit.engine().claimDue("w1", 1);
        assertThat(leases).singleElement().satisfies(l -> assertThat(l.runId()).isEqualTo(first));

        var fetched = kit.engine().work(leases.get(0), true);
        assertThat(fetched.outcome()).isInstanceOf(DeliveryOutcome.Done.class);
        var successor = fetched.next().orElseThrow();
        assertThat(successor.runId()).isEqualTo(first);
        assertThat(successor.step()).isEqualTo("after");
        assertThat(kit.step(first, "after").status()).isEqualTo(StepStatus.RUNNING);

        var finished = kit.engine().work(successor, true);
        assertThat(kit.run(first).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        var fromQueue = finished.next().orElseThrow();
        assertThat(fromQueue.runId()).isEqualTo(second);
        assertThat(fromQueue.step()).isEqualTo("fetch");
        long queued = store.inTransaction(tx -> tx.intents().count());
        assertThat(queued).isZero();
        assertThat(kit.engine().work(fromQueue, false).outcome()).isInstanceOf(DeliveryOutcome.Done.class);
    }

    @Test
    void a_worker_commits_a_chain_link_with_the_store_s_link_operation() {
        AtomicInteger links = new AtomicInteger();
        RunStore counting = new RunStore() {
            @Override
            public <R> R inTransaction(TransactionWork<R> work) {
                return store.inTransaction(work);
            }

            @Override
            public <R> R read(TransactionWork<R> work) {
                return store.read(work);
            }

            @Override
            public Optional<StepRecord> commitLink(LinkCommit link) {
                Optional<StepRecord> claimed = store.commitLink(link);
                claimed.ifPresent(c -> links.incrementAndGet());
                return claimed;
            }
        };
        StepGraph chain = StepGraph.builder("chain", 1)
                .step("one", ctx -> 1)
                .step("two", List.of("one"), ctx -> ctx.output("one").asInt() + 1)
                .step("three", List.of("two"), ctx -> ctx.output("two").asInt() + 1)
                .build();
        RunTestKit kit = RunTestKit.over(counting, new GraphRegistry().register(chain), new SettableClock(T0));
        String id = kit.start("chain", Map.of());
        var lease = kit.engine().claimDue("w1", 1).get(0);

        var two = kit.engine().work(lease, true).next().orElseThrow();
        var three = kit.engine().work(two, true).next().orElseThrow();

        assertThat(links).hasValue(2);
        assertThat(three.step()).isEqualTo("three");
        assertThat(kit.step(id, "three").status()).isEqualTo(StepStatus.RUNNING);
        kit.engine().work(three, true);
        assertThat(links).as("the last step is no link: it finishes the run").hasValue(2);
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.run(id).run().output().path("three").asInt()).isEqualTo(3);
        assertThat(kit.timelineTypes(id))
                .containsExactly(
                        EventType.RUN_CREATED,
                        EventType.STEP_QUEUED,
                        EventType.RUN_STARTED,
                        EventType.STEP_STARTED,
                        EventType.STEP_SUCCEEDED,
                        EventType.STEP_STARTED,
                        EventType.STEP_SUCCEEDED,
                        EventType.STEP_STARTED,
                        EventType.STEP_SUCCEEDED,
                        EventType.RUN_SUCCEEDED);
    }

    @Test
    void a_worker_finishes_a_run_with_the_store_s_finish_operation_and_takes_the_next_step_from_the_queue() {
        AtomicInteger finishes = new AtomicInteger();
        RunStore counting = countingFinishes(finishes);
        StepGraph chain = StepGraph.builder("chain", 1)
                .step("one", ctx -> 1)
                .step("two", List.of("one"), ctx -> {
                    ctx.tools().call("search", Map.of("q", "x"), () -> "found");
                    ctx.artifacts().putText("spec.md", "text/markdown", "# spec");
                    return ctx.output("one").asInt() + 1;
                })
                .build();
        RunTestKit kit = RunTestKit.over(counting, new GraphRegistry().register(chain), new SettableClock(T0));
        String first = kit.start("chain", Map.of());
        String second = kit.start("chain", Map.of());
        var two = kit.engine()
                .work(kit.engine().claimDue("w1", 1).get(0), true)
                .next()
                .orElseThrow();
        assertThat(finishes).hasValue(0);

        var next = kit.engine().work(two, true).next().orElseThrow();

        assertThat(finishes).hasValue(1);
        assertThat(kit.run(first).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.run(first).run().output().path("two").asInt()).isEqualTo(2);
        assertThat(kit.toolCalls(first)).extracting(ToolCallRecord::tool).containsExactly("search");
        assertThat(kit.artifactText(first, "two", "spec.md")).isEqualTo("# spec");
        assertThat(kit.timelineTypes(first))
                .containsExactly(
                        EventType.RUN_CREATED,
                        EventType.STEP_QUEUED,
                        EventType.RUN_STARTED,
                        EventType.STEP_STARTED,
                        EventType.STEP_SUCCEEDED,
                        EventType.STEP_STARTED,
                        EventType.STEP_SUCCEEDED,
                        EventType.RUN_SUCCEEDED);
        assertThat(next.runId()).isEqualTo(second);
        assertThat(next.step()).isEqualTo("one");
        assertThat(kit.run(second).run().status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void a_run_with_two_sinks_finishes_the_general_way_with_both_outputs() {
        AtomicInteger finishes = new AtomicInteger();
        StepGraph forked = StepGraph.builder("forked", 1)
                .step("root", ctx -> 1)
                .step("left", List.of("root"), ctx -> "l")
                .step("right", List.of("root"), ctx -> "r")
                .build();
        RunTestKit kit = RunTestKit.over(
                countingFinishes(finishes), new GraphRegistry().register(forked), new SettableClock(T0));
        String id = kit.start("forked", Map.of());

        kit.runUntilIdle();

        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.run(id).run().output().path("left").asText()).isEqualTo("l");
        assertThat(kit.run(id).run().output().path("right").asText()).isEqualTo("r");
        assertThat(finishes)
                .as("a sink that is not the graph's only one is no finish")
                .hasValue(0);
    }

    @Test
    void a_claim_reads_its_step_and_the_steps_it_depends_on_not_every_step_of_the_run() {
        List<List<String>> byName = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger wholeRun = new AtomicInteger();
        RunStore watched = Intercepted.store(
                store,
                tx -> Intercepted.method(StoreTransaction.class, tx, "steps", steps -> {
                    StepRepository repository = (StepRepository) steps.proceed();
                    StepRepository counted = Intercepted.method(StepRepository.class, repository, "findByRun", read -> {
                        wholeRun.incrementAndGet();
                        return read.proceed();
                    });
                    return Intercepted.method(StepRepository.class, counted, "findByNames", read -> {
                        List<?> found = (List<?>) read.proceed();
                        byName.add(found.stream()
                                .map(step -> ((StepRecord) step).name())
                                .toList());
                        return found;
                    });
                }));
        StepGraph fanIn = StepGraph.builder("fan-in", 1)
                .step("root", ctx -> 1)
                .step("a", List.of("root"), ctx -> "A")
                .step("b", List.of("root"), ctx -> "B")
                .step("c", List.of("root"), ctx -> "C")
                .step(
                        "join",
                        List.of("a", "b", "c"),
                        ctx -> ctx.output("a").asText()
                                + ctx.output("b").asText()
                                + ctx.output("c").asText())
                .build();
        RunTestKit kit = RunTestKit.over(watched, new GraphRegistry().register(fanIn), new SettableClock(T0));
        String id = kit.start("fan-in", Map.of());

        kit.runUntilIdle();

        assertThat(wholeRun).as("reads of every step of the run").hasValue(0);
        assertThat(byName).isNotEmpty().allSatisfy(names -> assertThat(names)
                .isIn(
                        List.of("root"),
                        List.of("root", "a"),
                        List.of("root", "b"),
                        List.of("root", "c"),
                        List.of("a", "b", "c"),
                        List.of("a", "b", "c", "join")));
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.run(id).run().output().path("join").asText()).isEqualTo("ABC");
    }

    /** The contract's store, counting the finishes its transactions commit; its links still go to the store. */
    private RunStore countingFinishes(AtomicInteger finishes) {
        RunStore counted = Intercepted.store(
                store,
                tx -> Intercepted.method(StoreTransaction.class, tx, "commitFinish", call -> {
                    boolean finished = (Boolean) call.proceed();
                    if (finished) {
                        finishes.incrementAndGet();
                    }
                    return finished;
                }));
        return new RunStore() {
            @Override
            public <R> R inTransaction(TransactionWork<R> work) {
                return counted.inTransaction(work);
            }

            @Override
            public <R> R read(TransactionWork<R> work) {
                return store.read(work);
            }

            @Override
            public Optional<StepRecord> commitLink(LinkCommit link) {
                return store.commitLink(link);
            }
        };
    }

    @Test
    void a_step_that_called_tools_and_staged_artifacts_keeps_them_when_its_worker_takes_the_successor() {
        StepGraph graph = StepGraph.builder("recorded", 1)
                .step("first", ctx -> {
                    ctx.tools().call("search", Map.of("q", "x"), () -> "found");
                    ctx.artifacts().putText("notes.txt", "text/plain", "n");
                    return "one";
                })
                .step("second", List.of("first"), ctx -> "two")
                .build();
        RunTestKit kit = kit(graph);
        String id = kit.start("recorded", Map.of());
        var lease = kit.engine().claimDue("w1", 1).get(0);

        var successor = kit.engine().work(lease, true).next().orElseThrow();

        assertThat(successor.step()).isEqualTo("second");
        assertThat(kit.toolCalls(id)).extracting(ToolCallRecord::tool).containsExactly("search");
        assertThat(kit.artifactText(id, "first", "notes.txt")).isEqualTo("n");
        kit.engine().work(successor, true);
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void a_successor_claimed_in_its_dependency_s_commit_records_its_start_without_a_queued_event() {
        RunTestKit kit = kit(retrying());
        String id = kit.start("retrying", Map.of());
        var lease = kit.engine().claimDue("w1", 1).get(0);
        var successor = kit.engine().work(lease, true).next().orElseThrow();
        kit.engine().work(successor, true);

        List<TimelineEvent> after =
                kit.timeline(id).stream().filter(e -> "after".equals(e.step())).toList();
        assertThat(after)
                .extracting(TimelineEvent::type)
                .containsExactly(EventType.STEP_STARTED, EventType.STEP_SUCCEEDED);
        assertThat(after.get(0).attempt()).isEqualTo(1);
        assertThat(after.get(0).data().path("owner").asText()).isEqualTo("w1");
        // The first step waited in the queue, so its timeline still shows it queued.
        assertThat(kit.timeline(id).stream().filter(e -> "fetch".equals(e.step())))
                .extracting(TimelineEvent::type)
                .containsExactly(EventType.STEP_QUEUED, EventType.STEP_STARTED, EventType.STEP_SUCCEEDED);
    }

    @Test
    void ready_steps_of_older_runs_are_served_first() {
        RunTestKit kit = kit(retrying());
        String older = kit.start("retrying", Map.of());
        kit.advance(Duration.ofSeconds(1));
        String newer = kit.start("retrying", Map.of());
        kit.advance(Duration.ofSeconds(1));
        assertThat(kit.deliver(older, "fetch")).isInstanceOf(DeliveryOutcome.Done.class);

        var first = kit.engine().claimDue("w1", 1);
        assertThat(first).singleElement().satisfies(l -> {
            assertThat(l.runId()).isEqualTo(older);
            assertThat(l.step()).isEqualTo("after");
        });
        var second = kit.engine().claimDue("w1", 1);
        assertThat(second).singleElement().satisfies(l -> assertThat(l.runId()).isEqualTo(newer));
    }

    @Test
    void out_of_order_and_repeated_deliveries_end_in_the_same_state_as_one_delivery() {
        CountDownLatch none = new CountDownLatch(0);
        RunTestKit kit = kit(diamond(none));
        String id = kit.start("diamond", Map.of());
        assertThat(kit.deliver(id, "d")).isInstanceOf(DeliveryOutcome.Ignored.class);
        assertThat(kit.deliver(id, "b")).isInstanceOf(DeliveryOutcome.Ignored.class);
        for (String step : List.of("a", "a", "c", "b", "c", "d", "a", "d")) {
            kit.deliver(id, step);
        }
        kit.runUntilIdle();
        assertThat(kit.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        for (String step : List.of("a", "b", "c", "d")) {
            assertThat(calls(id, step)).as(step).isEqualTo(1);
        }
        assertThat(kit.artifacts(id)).hasSize(1);
    }

    @Test
    void runs_are_listed_in_pages() {
        RunTestKit kit = kit(retrying());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            ids.add(kit.start("retrying", Map.of("i", i)));
            kit.advance(Duration.ofMillis(1));
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            RunPage page = kit.engine().list(new RunListQuery(RunFilter.any(), 3, cursor));
            page.runs().forEach(r -> seen.add(r.id()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).isEqualTo(ids);
    }

    @Test
    void a_listing_shows_the_failed_step_of_each_run_and_the_counts_follow() {
        RunTestKit kit = kit(retrying());
        String ok = kit.start("retrying", Map.of());
        kit.runUntilIdle();
        kit.advance(Duration.ofMillis(1));
        kit.failAttempts("fetch", 99, new IllegalArgumentException("bad <input>"));
        String bad = kit.start("retrying", Map.of());
        kit.runUntilIdle();
        assertThat(kit.run(bad).run().status()).isEqualTo(RunStatus.FAILED);

        RunPage page = kit.engine().list(RunListQuery.firstPage());
        assertThat(page.currentSteps(bad)).containsExactly(new StepSummary(bad, "fetch", StepStatus.FAILED, 1));
        assertThat(kit.engine().countRuns(null).count(RunStatus.FAILED)).isEqualTo(1);
        assertThat(kit.engine().countRuns("retrying").count(RunStatus.FAILED)).isEqualTo(1);
        assertThat(kit.engine().countRuns("other").count(RunStatus.FAILED)).isZero();
        assertThat(kit.engine().unfinishedRunsByGraphVersion()).isEmpty();
        assertThat(kit.run(ok).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(page.currentSteps(ok)).isEmpty();
    }

    @Test
    void every_failed_attempt_keeps_its_stack_trace_in_the_timeline() {
        RunTestKit kit = kit(retrying()).failAttempts("fetch", 2, new IOException("flaky network"));
        String id = kit.start("retrying", Map.of());
        kit.runUntilIdle();
        List<TimelineEvent> failures = kit.engine().timeline(id).stream()
                .filter(e -> e.type() == EventType.STEP_FAILED)
                .toList();
        assertThat(failures).hasSize(2);
        assertThat(failures).allSatisfy(e -> {
            assertThat(e.data().path("message").asText()).isEqualTo("flaky network");
            assertThat(e.data().path("stackTrace").asText()).contains("java.io.IOException: flaky network", "\tat ");
        });
    }

    @Test
    void timestamps_written_by_the_engine_round_trip_exactly() {
        RunTestKit kit = kit(retrying());
        kit.clock().set(Instant.parse("2026-07-04T23:59:59.999999Z"));
        String id = kit.start("retrying", Map.of());
        RunRecord r = kit.run(id).run();
        assertThat(r.createdAt()).isEqualTo(Instant.parse("2026-07-04T23:59:59.999999Z"));
        assertThat(r.createdAt().truncatedTo(ChronoUnit.MICROS)).isEqualTo(r.createdAt());
    }
}
