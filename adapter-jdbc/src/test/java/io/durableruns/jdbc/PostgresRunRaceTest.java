package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.contract.Runs;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.ports.RunStateConflictException;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.TimelineEvent;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Run-level commands interleaved with step transactions of another engine, on PostgreSQL at READ COMMITTED. Engine
 * A's command stops inside its transaction right after it read the run's steps; engine B (its own pool) then claims,
 * delivers or commits a step of the same run; then A goes on. Whatever the interleaving, a command's answer must be
 * true of the stored run, and the run must end or keep a way forward.
 */
class PostgresRunRaceTest {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private static final String OTHER_ENGINE = "race_engine_b";

    private static PausingStore storeA;
    private static JdbcRunStore storeB;
    private RunEngine engineA;
    private RunEngine engineB;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void twoEnginesOnTwoPools() throws SQLException {
        if (storeA == null) {
            storeA = new PausingStore(DATABASE.openStore());
            storeB = DATABASE.openStore(o -> o.connectionInitSql("SET TIME ZONE '"
                    + PostgresTestDatabase.SESSION_TIME_ZONE + "'; SET application_name = '" + OTHER_ENGINE + "'"));
        }
        DATABASE.truncate();
        GraphRegistry registry = new GraphRegistry()
                .register(StepGraph.builder("pair", 1)
                        .step("a", ctx -> Map.of("a", 1))
                        .step("b", List.of("a"), ctx -> Map.of("b", 2))
                        .build());
        engineA = RunEngine.builder().store(storeA.store()).registry(registry).build();
        engineB = RunEngine.builder().store(storeB).registry(registry).build();
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void a_cancel_racing_a_claim_is_true_of_the_run_and_leaves_nothing_running() throws Exception {
        String runId = create();
        Outcome<RunDetails> cancel = interleave(() -> engineA.cancel(runId), () -> engineB.claimDue("engine-b", 1)
                .forEach(this::work));
        drain();
        assertCommandTrue(runId, cancel, RunStatus.CANCELLED);
    }

    @Test
    void a_cancel_racing_a_delivery_is_true_of_the_run_and_leaves_nothing_running() throws Exception {
        String runId = create();
        Outcome<RunDetails> cancel =
                interleave(() -> engineA.cancel(runId), () -> engineB.deliver(new StepMessage(runId, "a")));
        drain();
        assertCommandTrue(runId, cancel, RunStatus.CANCELLED);
    }

    @Test
    void a_cancel_racing_a_step_commit_leaves_no_ready_step_in_a_finished_run() throws Exception {
        String runId = create();
        List<StepLease> claimed = engineB.claimDue("engine-b", 1);
        assertThat(claimed).hasSize(1);
        Outcome<RunDetails> cancel = interleave(() -> engineA.cancel(runId), () -> work(claimed.get(0)));
        drain();
        assertCommandTrue(runId, cancel, RunStatus.CANCELLED);
    }

    /**
     * The worker takes the successor in its commit: a chain link, one call of the store's function, which must wait
     * for the cancel's run lock like any step transaction and then write nothing.
     */
    @Test
    void a_cancel_racing_a_chain_link_commit_leaves_no_step_running_in_a_finished_run() throws Exception {
        String runId = create();
        List<StepLease> claimed = engineB.claimDue("engine-b", 1);
        assertThat(claimed).hasSize(1);
        Outcome<RunDetails> cancel = interleave(() -> engineA.cancel(runId), () -> engineB.work(claimed.get(0), true));
        drain();
        assertCommandTrue(runId, cancel, RunStatus.CANCELLED);
    }

    /**
     * The worker commits the run's last step: a finish, one call of the store's function inside the transaction that
     * then takes the next step from the queue, which must wait for the cancel's run lock and then write nothing.
     */
    @Test
    void a_cancel_racing_a_run_s_finish_is_true_of_the_run() throws Exception {
        String runId = create();
        List<StepLease> claimed = engineB.claimDue("engine-b", 1);
        assertThat(claimed).hasSize(1);
        StepLease last = engineB.work(claimed.get(0), true).next().orElseThrow();
        assertThat(last.step()).isEqualTo("b");
        Outcome<RunDetails> cancel = interleave(() -> engineA.cancel(runId), () -> engineB.work(last, true));
        drain();
        assertCommandTrue(runId, cancel, RunStatus.CANCELLED);
    }

    private String create() {
        return Runs.start(engineB, "pair", Map.of());
    }

    private void work(StepLease lease) {
        engineB.work(lease, false);
    }

    /** Runs whatever is left to run, as the dispatcher would. */
    private void drain() {
        for (int i = 0; i < 10; i++) {
            List<StepLease> leases = engineB.claimDue("drain", 10);
            if (leases.isEmpty()) {
                return;
            }
            leases.forEach(this::work);
        }
    }

    /** A command's answer: the run it returned, or the conflict it reported. */
    private record Outcome<T>(T value, Throwable error) {}

    /**
     * Starts {@code command} on engine A, stops it right after it read the steps, runs {@code other} on engine B
     * until it finishes or waits for a lock that A holds, then lets A go on.
     */
    private <T> Outcome<T> interleave(Callable<T> command, Runnable other) throws Exception {
        PausingStore.Pause pause = storeA.pauseAfterNextStepRead();
        Future<T> first = threads.submit(command);
        pause.awaitReached();
        Future<?> second = threads.submit(other);
        awaitDoneOrWaitingForALock(second);
        pause.release();
        second.get(30, TimeUnit.SECONDS);
        try {
            return new Outcome<>(first.get(30, TimeUnit.SECONDS), null);
        } catch (ExecutionException e) {
            return new Outcome<>(null, e.getCause());
        }
    }

    /** Waits until engine B's transaction finished or PostgreSQL shows one of its connections waiting for a lock. */
    private static void awaitDoneOrWaitingForALock(Future<?> work) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = DATABASE.connect();
                Statement st = c.createStatement()) {
            while (!work.isDone()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                        + OTHER_ENGINE + "' AND wait_event_type = 'Lock'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("engine B neither finished nor waited for a lock");
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * The command either reported a conflict or answered {@code expected}, and then the stored run is {@code
     * expected}; in any case the run finished (nothing is left to run), no finished run keeps an unfinished step,
     * and the last run event of the timeline agrees with the status.
     */
    private void assertCommandTrue(String runId, Outcome<RunDetails> outcome, RunStatus expected) {
        RunDetails stored = engineB.find(runId).orElseThrow();
        if (outcome.error() != null) {
            assertThat(outcome.error()).isInstanceOf(RunStateConflictException.class);
        } else {
            assertThat(outcome.value().run().status())
                    .as("the status the command answered")
                    .isEqualTo(expected);
            assertThat(stored.run().status())
                    .as("the stored status after the command answered %s", expected)
                    .isEqualTo(expected);
        }
        assertThat(stored.run().status().isTerminal())
                .as("run %s finished (steps %s)", runId, stored.steps())
                .isTrue();
        assertThat(stored.steps()).as("steps of a finished run").allSatisfy(s -> assertThat(
                        s.status().isTerminal())
                .as("step %s", s.name())
                .isTrue());
        Optional<EventType> lastRunEvent = engineB.timeline(runId).stream()
                .map(TimelineEvent::type)
                .filter(t -> t.name().startsWith("RUN_") && t != EventType.RUN_CREATED)
                .reduce((x, y) -> y);
        assertThat(lastRunEvent)
                .contains(EventType.valueOf("RUN_" + stored.run().status()));
        assertThat(stored.steps().stream().map(StepRecord::name)).containsExactly("a", "b");
    }
}
