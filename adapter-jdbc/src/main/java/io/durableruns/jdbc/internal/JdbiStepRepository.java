package io.durableruns.jdbc.internal;

import io.durableruns.ports.StoreException;
import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.FinishCommit;
import io.durableruns.ports.model.LinkCommit;
import io.durableruns.ports.model.StepCursor;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.StepSummary;
import io.durableruns.ports.model.ToolCallRecord;
import io.durableruns.ports.out.StepRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;

/** Steps in SQL. Completion is a compare-and-set on (status, attempt), the fencing token of a claim. */
final class JdbiStepRepository implements StepRepository {
    private static final String COLUMNS = "run_id, name, status, attempt, budget_base, pending_deps, depends_on,"
            + " lease_owner, lease_until, due_at, started_at, finished_at, output, error_type, error_message,"
            + " error_stack, updated_at";

    private static final String INSERT = "INSERT INTO ${t}steps (" + COLUMNS + ") VALUES (:run_id, :name, :status,"
            + " :attempt, :budget_base, :pending_deps, CAST(:depends_on AS ${json}), :lease_owner, :lease_until,"
            + " :due_at, :started_at, :finished_at, CAST(:output AS ${json}), :error_type, :error_message,"
            + " :error_stack, :updated_at)";
    private static final String FIND_BY_RUN_PG =
            "SELECT " + COLUMNS + " FROM ${t}steps WHERE run_id = :run_id ORDER BY position";
    private static final String FIND_BY_RUN_SQLITE =
            "SELECT " + COLUMNS + " FROM ${t}steps WHERE run_id = :run_id ORDER BY rowid";
    private static final String FIND = "SELECT " + COLUMNS + " FROM ${t}steps WHERE run_id = :run_id AND name = :name";
    private static final String FIND_BY_NAMES_PG = "SELECT " + COLUMNS + " FROM ${t}steps"
            + " WHERE run_id = :run_id AND name = ANY(CAST(:names AS text[])) ORDER BY position";
    private static final String FIND_BY_NAMES_SQLITE =
            "SELECT " + COLUMNS + " FROM ${t}steps WHERE run_id = :run_id AND name IN (<names>) ORDER BY rowid";
    private static final String UPDATE = "UPDATE ${t}steps SET status = :status, attempt = :attempt,"
            + " budget_base = :budget_base, pending_deps = :pending_deps, lease_owner = :lease_owner,"
            + " lease_until = :lease_until, due_at = :due_at, started_at = :started_at, finished_at = :finished_at,"
            + " output = CAST(:output AS ${json}), error_type = :error_type, error_message = :error_message,"
            + " error_stack = :error_stack, updated_at = :updated_at"
            + " WHERE run_id = :run_id AND name = :name AND status = :expected_status AND attempt = :expected_attempt";
    private static final String DECREMENT = "UPDATE ${t}steps SET pending_deps = pending_deps - 1"
            + " WHERE run_id = :run_id AND name = :name RETURNING " + COLUMNS;
    /**
     * The functions of migration V006: RunStore.commitLink in one statement (PostgreSQL only); an attempt that called
     * tools or staged artifacts passes them to the second one as arrays.
     */
    private static final String LINK_ARGUMENTS = "(:run_id, :name,"
            + " :expected_attempt, :status, :attempt, :budget_base, :pending_deps, :lease_owner,"
            + " CAST(:lease_until AS timestamptz), CAST(:due_at AS timestamptz), CAST(:started_at AS timestamptz),"
            + " CAST(:finished_at AS timestamptz), CAST(:output AS jsonb), :error_type, :error_message, :error_stack,"
            + " CAST(:updated_at AS timestamptz), :successor, :owner, CAST(:successor_lease_until AS timestamptz),"
            + " CAST(:at AS timestamptz), CAST(:succeeded_data AS jsonb), CAST(:started_data AS jsonb)";

    private static final String COMMIT_LINK_PLAIN =
            "SELECT " + COLUMNS + " FROM ${t}commit_link" + LINK_ARGUMENTS + ")";
    private static final String COMMIT_LINK_RECORDING = "SELECT " + COLUMNS + " FROM ${t}commit_link_recording"
            + LINK_ARGUMENTS + ", :tool_attempts, :tools, :tool_inputs, :tool_outputs, :tool_errors,"
            + " CAST(:tool_started AS timestamptz[]), :tool_durations, :artifact_keys, :artifact_types,"
            + " :artifact_contents, :artifact_attempts, CAST(:artifact_created AS timestamptz[]))";
    /** The function of migration V007: StoreTransaction.commitFinish in one statement (PostgreSQL only). */
    private static final String COMMIT_FINISH = "SELECT ${t}commit_finish(:run_id, :name, :expected_attempt, :status,"
            + " :attempt, :budget_base, :pending_deps, :lease_owner, CAST(:lease_until AS timestamptz),"
            + " CAST(:due_at AS timestamptz), CAST(:started_at AS timestamptz), CAST(:finished_at AS timestamptz),"
            + " CAST(:output AS jsonb), :error_type, :error_message, :error_stack, CAST(:updated_at AS timestamptz),"
            + " CAST(:at AS timestamptz), CAST(:succeeded_data AS jsonb), CAST(:run_output AS jsonb))";
    /** Steps of unfinished runs, found from the runs' status index: few, however many runs have finished. */
    private static final String OF_UNFINISHED_RUNS =
            " FROM ${t}runs r JOIN ${t}steps s ON s.run_id = r.id" + " WHERE r.status IN ('QUEUED', 'RUNNING')";

    private static final String QUALIFIED = "s." + COLUMNS.replace(", ", ", s.");
    private static final String LEASED_BY =
            "SELECT " + QUALIFIED + OF_UNFINISHED_RUNS + " AND s.status = 'RUNNING' AND s.lease_owner = :owner";
    private static final String EXPIRED = "SELECT " + QUALIFIED + OF_UNFINISHED_RUNS
            + " AND s.status = 'RUNNING' AND s.lease_until < :now"
            + " AND (s.lease_until, s.run_id, s.name) > (:after_at, :after_run, :after_step)"
            + " ORDER BY s.lease_until, s.run_id, s.name LIMIT :limit";
    private static final String STRANDED = "SELECT " + QUALIFIED + OF_UNFINISHED_RUNS
            + " AND s.status IN ('QUEUED', 'RETRYING') AND s.due_at < :due_before"
            + " AND NOT EXISTS (SELECT 1 FROM ${t}dispatch_intents i WHERE i.run_id = s.run_id AND i.step = s.name)"
            + " AND (s.due_at, s.run_id, s.name) > (:after_at, :after_run, :after_step)"
            + " ORDER BY s.due_at, s.run_id, s.name LIMIT :limit";
    /** Sorts before every step: the scans start here when they have no cursor. */
    private static final StepCursor START = new StepCursor(Instant.EPOCH, "", "");

    private static final String SUMMARIES_PG = "SELECT run_id, name, status, attempt FROM ${t}steps"
            + " WHERE run_id IN (<ids>) AND status IN (<statuses>) ORDER BY run_id, position";
    private static final String SUMMARIES_SQLITE = "SELECT run_id, name, status, attempt FROM ${t}steps"
            + " WHERE run_id IN (<ids>) AND status IN (<statuses>) ORDER BY run_id, rowid";

    private final JdbiStoreTransaction tx;
    private final StoreContext ctx;

    JdbiStepRepository(JdbiStoreTransaction tx) {
        this.tx = tx;
        this.ctx = tx.context();
    }

    @Override
    public void insertAll(List<StepRecord> steps) {
        if (steps.isEmpty()) {
            return;
        }
        PreparedBatch batch = tx.handle().prepareBatch(ctx.sql(INSERT));
        for (StepRecord step : steps) {
            bindMutable(batch, step)
                    .bind("depends_on", Args.text(ctx.names(step.dependsOn())))
                    .add();
        }
        batch.execute();
    }

    @Override
    public List<StepRecord> findByRun(String runId) {
        String sql = ctx.dialect() == Dialect.POSTGRESQL ? FIND_BY_RUN_PG : FIND_BY_RUN_SQLITE;
        return tx.handle()
                .createQuery(ctx.sql(sql))
                .bind("run_id", Args.text(runId))
                .map((rs, c) -> map(rs))
                .list();
    }

    @Override
    public List<StepSummary> findSummaries(Collection<String> runIds, Set<StepStatus> statuses) {
        if (runIds.isEmpty() || statuses.isEmpty()) {
            return List.of();
        }
        List<String> ids = List.copyOf(new LinkedHashSet<>(runIds));
        String template = ctx.dialect() == Dialect.POSTGRESQL ? SUMMARIES_PG : SUMMARIES_SQLITE;
        String sql = ctx.sql(template)
                .replace("<ids>", placeholders("id", ids.size()))
                .replace(
                        "<statuses>",
                        statuses.stream()
                                .map(s -> "'" + s.name() + "'")
                                .sorted()
                                .collect(Collectors.joining(", ")));
        Query query = tx.handle().createQuery(sql);
        for (int i = 0; i < ids.size(); i++) {
            query.bind("id" + i, Args.text(ids.get(i)));
        }
        return query.map((rs, c) -> new StepSummary(
                        rs.getString("run_id"),
                        rs.getString("name"),
                        StepStatus.valueOf(rs.getString("status")),
                        rs.getInt("attempt")))
                .list();
    }

    private static String placeholders(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> ":" + prefix + i).collect(Collectors.joining(", "));
    }

    /**
     * One statement on the steps' primary key: on PostgreSQL with the names as one array parameter (one statement
     * text, one cached plan, whatever their number), on SQLite with a parameter each.
     */
    @Override
    public List<StepRecord> findByNames(String runId, Collection<String> names) {
        if (names.isEmpty()) {
            return List.of();
        }
        Query query;
        if (ctx.dialect() == Dialect.POSTGRESQL) {
            query = tx.handle()
                    .createQuery(ctx.sql(FIND_BY_NAMES_PG))
                    .bind("names", Args.array("text", names.stream(), String[]::new));
        } else {
            List<String> distinct = List.copyOf(new LinkedHashSet<>(names));
            query = tx.handle()
                    .createQuery(
                            ctx.sql(FIND_BY_NAMES_SQLITE).replace("<names>", placeholders("name", distinct.size())));
            for (int i = 0; i < distinct.size(); i++) {
                query.bind("name" + i, Args.text(distinct.get(i)));
            }
        }
        return query.bind("run_id", Args.text(runId)).map((rs, c) -> map(rs)).list();
    }

    @Override
    public Optional<StepRecord> find(String runId, String name) {
        return tx.handle()
                .createQuery(ctx.sql(FIND))
                .bind("run_id", Args.text(runId))
                .bind("name", Args.text(name))
                .map((rs, c) -> map(rs))
                .findOne();
    }

    @Override
    public boolean update(StepRecord next, StepStatus expectedStatus, int expectedAttempt) {
        return bindMutable(tx.handle().createUpdate(ctx.sql(UPDATE)), next)
                        .bind("expected_status", Args.text(expectedStatus.name()))
                        .bind("expected_attempt", Args.integer(expectedAttempt))
                        .execute()
                == 1;
    }

    @Override
    public StepRecord decrementPendingDeps(String runId, String name) {
        return tx.handle()
                .createQuery(ctx.sql(DECREMENT))
                .bind("run_id", Args.text(runId))
                .bind("name", Args.text(name))
                .map((rs, c) -> map(rs))
                .findOne()
                .orElseThrow(() -> new StoreException(
                        "step " + name + " of run " + runId + " does not exist; cannot count down its dependencies"));
    }

    /**
     * Commits a chain link with one call of a V006 function (PostgreSQL). Sent outside a transaction, the call
     * commits as it returns: one round trip.
     */
    Optional<StepRecord> commitLink(LinkCommit link) {
        List<ToolCallRecord> calls = link.toolCalls();
        List<ArtifactRecord> artifacts = link.artifacts();
        boolean recording = !calls.isEmpty() || !artifacts.isEmpty();
        Query call = bindMutable(
                        tx.handle().createQuery(ctx.sql(recording ? COMMIT_LINK_RECORDING : COMMIT_LINK_PLAIN)),
                        link.succeeded())
                .bind("expected_attempt", Args.integer(link.expectedAttempt()))
                .bind("successor", Args.text(link.successor()))
                .bind("owner", Args.text(link.owner()))
                .bind("successor_lease_until", ctx.instant(link.leaseUntil()))
                .bind("at", ctx.instant(link.at()))
                .bind("succeeded_data", Args.text(ctx.json(link.succeededData())))
                .bind("started_data", Args.text(ctx.json(link.startedData())));
        if (recording) {
            bindRecords(call, calls, artifacts);
        }
        return call.map((rs, c) -> map(rs)).findOne();
    }

    /** Commits a run's finish with one call of the V007 function (PostgreSQL), in the caller's transaction. */
    boolean commitFinish(FinishCommit finish) {
        return bindMutable(tx.handle().createQuery(ctx.sql(COMMIT_FINISH)), finish.succeeded())
                .bind("expected_attempt", Args.integer(finish.expectedAttempt()))
                .bind("at", ctx.instant(finish.at()))
                .bind("succeeded_data", Args.text(ctx.json(finish.succeededData())))
                .bind("run_output", Args.text(ctx.json(finish.output())))
                .map((rs, c) -> rs.getBoolean(1))
                .one();
    }

    /** The attempt's tool calls and artifacts, as the function's arrays: one element per row. */
    private void bindRecords(Query call, List<ToolCallRecord> calls, List<ArtifactRecord> artifacts) {
        call.bind("tool_attempts", Args.array("int4", calls.stream().map(ToolCallRecord::attempt), Integer[]::new))
                .bind("tools", Args.array("text", calls.stream().map(ToolCallRecord::tool), String[]::new))
                .bind("tool_inputs", Args.array("text", calls.stream().map(c -> ctx.json(c.input())), String[]::new))
                .bind("tool_outputs", Args.array("text", calls.stream().map(c -> ctx.json(c.output())), String[]::new))
                .bind("tool_errors", Args.array("text", calls.stream().map(ToolCallRecord::error), String[]::new))
                .bind(
                        "tool_started",
                        Args.array(
                                "text", calls.stream().map(c -> StoreContext.timestamp(c.startedAt())), String[]::new))
                .bind("tool_durations", Args.array("int8", calls.stream().map(ToolCallRecord::durationMs), Long[]::new))
                .bind("artifact_keys", Args.array("text", artifacts.stream().map(ArtifactRecord::key), String[]::new))
                .bind(
                        "artifact_types",
                        Args.array("text", artifacts.stream().map(ArtifactRecord::contentType), String[]::new))
                .bind(
                        "artifact_contents",
                        Args.array("bytea", artifacts.stream().map(ArtifactRecord::content), byte[][]::new))
                .bind(
                        "artifact_attempts",
                        Args.array("int4", artifacts.stream().map(ArtifactRecord::attempt), Integer[]::new))
                .bind(
                        "artifact_created",
                        Args.array(
                                "text",
                                artifacts.stream().map(a -> StoreContext.timestamp(a.createdAt())),
                                String[]::new));
    }

    @Override
    public List<StepRecord> findLeasedBy(String owner) {
        return tx.handle()
                .createQuery(ctx.sql(LEASED_BY))
                .bind("owner", Args.text(owner))
                .map((rs, c) -> map(rs))
                .list();
    }

    @Override
    public List<StepRecord> findExpiredLeases(Instant now, StepCursor after, int limit) {
        return scan(EXPIRED, after, limit)
                .bind("now", ctx.instant(now))
                .map((rs, c) -> map(rs))
                .list();
    }

    @Override
    public List<StepRecord> findStranded(Instant dueBefore, StepCursor after, int limit) {
        return scan(STRANDED, after, limit)
                .bind("due_before", ctx.instant(dueBefore))
                .map((rs, c) -> map(rs))
                .list();
    }

    private Query scan(String sql, StepCursor after, int limit) {
        StepCursor from = after == null ? START : after;
        return tx.handle()
                .createQuery(ctx.sql(sql))
                .bind("after_at", ctx.instant(from.at()))
                .bind("after_run", Args.text(from.runId()))
                .bind("after_step", Args.text(from.step()))
                .bind("limit", Args.integer(limit));
    }

    private <S extends SqlStatement<S>> S bindMutable(S statement, StepRecord step) {
        StepError error = step.error();
        return statement
                .bind("run_id", Args.text(step.runId()))
                .bind("name", Args.text(step.name()))
                .bind("status", Args.text(step.status().name()))
                .bind("attempt", Args.integer(step.attempt()))
                .bind("budget_base", Args.integer(step.budgetBase()))
                .bind("pending_deps", Args.integer(step.pendingDeps()))
                .bind("lease_owner", Args.text(step.leaseOwner()))
                .bind("lease_until", ctx.instant(step.leaseUntil()))
                .bind("due_at", ctx.instant(step.dueAt()))
                .bind("started_at", ctx.instant(step.startedAt()))
                .bind("finished_at", ctx.instant(step.finishedAt()))
                .bind("output", Args.text(ctx.json(step.output())))
                .bind("error_type", Args.text(error == null ? null : error.type()))
                .bind("error_message", Args.text(error == null ? null : error.message()))
                .bind("error_stack", Args.text(error == null ? null : error.stackTrace()))
                .bind("updated_at", ctx.instant(step.updatedAt()));
    }

    private StepRecord map(ResultSet rs) throws SQLException {
        String errorType = rs.getString("error_type");
        StepError error = errorType == null
                ? null
                : new StepError(errorType, rs.getString("error_message"), rs.getString("error_stack"));
        return new StepRecord(
                rs.getString("run_id"),
                rs.getString("name"),
                StepStatus.valueOf(rs.getString("status")),
                rs.getInt("attempt"),
                rs.getInt("budget_base"),
                rs.getInt("pending_deps"),
                ctx.names(rs, "depends_on"),
                rs.getString("lease_owner"),
                ctx.instant(rs, "lease_until"),
                ctx.instant(rs, "due_at"),
                ctx.instant(rs, "started_at"),
                ctx.instant(rs, "finished_at"),
                ctx.json(rs, "output"),
                error,
                ctx.instant(rs, "updated_at"));
    }
}
