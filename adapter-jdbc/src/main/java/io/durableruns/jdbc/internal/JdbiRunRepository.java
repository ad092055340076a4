package io.durableruns.jdbc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.ports.StoreException;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.RunCursor;
import io.durableruns.ports.model.RunFilter;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.out.RunRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;

/** Runs and idempotency keys in SQL. */
final class JdbiRunRepository implements RunRepository {
    private static final String COLUMNS = "id, graph, version, status, input, output, idempotency_key, sinks_remaining,"
            + " created_at, updated_at, finished_at";

    private static final String INSERT =
            "INSERT INTO ${t}runs (" + COLUMNS + ") VALUES (:id, :graph, :version, :status,"
                    + " CAST(:input AS ${json}), CAST(:output AS ${json}), :idempotency_key, :sinks_remaining, :created_at,"
                    + " :updated_at, :finished_at)";
    private static final String FIND = "SELECT " + COLUMNS + " FROM ${t}runs WHERE id = :id";
    private static final String LOCK_PG = FIND + " FOR UPDATE";
    private static final String RESERVE = "INSERT INTO ${t}idempotency_keys (idempotency_key, request_hash, run_id,"
            + " created_at) VALUES (:key, :hash, :run_id, :at) ON CONFLICT (idempotency_key) DO NOTHING";
    private static final String FIND_RESERVATION =
            "SELECT idempotency_key, request_hash, run_id FROM ${t}idempotency_keys WHERE idempotency_key = :key";
    private static final String UPDATE_STATUS = "UPDATE ${t}runs SET status = :next, updated_at = :at,"
            + " finished_at = :finished_at, output = COALESCE(CAST(:output AS ${json}), output)"
            + " WHERE id = :id AND status = :expected";
    private static final String DECREMENT =
            "UPDATE ${t}runs SET sinks_remaining = sinks_remaining - 1 WHERE id = :id" + " RETURNING sinks_remaining";
    private static final String UNFINISHED_VERSIONS = "SELECT DISTINCT graph, version FROM ${t}runs"
            + " WHERE status IN ('QUEUED', 'RUNNING') ORDER BY graph, version";
    private static final String COUNT_UNFINISHED = "SELECT graph, version, count(*) AS n FROM ${t}runs"
            + " WHERE status IN (" + quoted(Arrays.stream(RunStatus.values()).filter(s -> !s.isTerminal())) + ")"
            + " GROUP BY graph, version";
    private static final String COUNT_BY_STATUS = countByStatusSql("");
    private static final String COUNT_BY_STATUS_OF_GRAPH = countByStatusSql(" AND graph = :graph");

    private final JdbiStoreTransaction tx;
    private final StoreContext ctx;

    JdbiRunRepository(JdbiStoreTransaction tx) {
        this.tx = tx;
        this.ctx = tx.context();
    }

    @Override
    public void insert(RunRecord run) {
        bind(tx.handle().createUpdate(ctx.sql(INSERT)), run).execute();
    }

    @Override
    public void insertAll(List<RunRecord> runs) {
        if (runs.size() < 2) {
            runs.forEach(this::insert);
            return;
        }
        PreparedBatch batch = tx.handle().prepareBatch(ctx.sql(INSERT));
        for (RunRecord run : runs) {
            bind(batch, run).add();
        }
        batch.execute();
    }

    private <T extends SqlStatement<T>> T bind(T statement, RunRecord run) {
        return statement
                .bind("id", Args.text(run.id()))
                .bind("graph", Args.text(run.graph()))
                .bind("version", Args.integer(run.version()))
                .bind("status", Args.text(run.status().name()))
                .bind("input", Args.text(ctx.json(run.input())))
                .bind("output", Args.text(ctx.json(run.output())))
                .bind("idempotency_key", Args.text(run.idempotencyKey()))
                .bind("sinks_remaining", Args.integer(run.sinksRemaining()))
                .bind("created_at", ctx.instant(run.createdAt()))
                .bind("updated_at", ctx.instant(run.updatedAt()))
                .bind("finished_at", ctx.instant(run.finishedAt()));
    }

    @Override
    public Optional<RunRecord> find(String runId) {
        return tx.handle()
                .createQuery(ctx.sql(FIND))
                .bind("id", Args.text(runId))
                .map((rs, c) -> map(rs))
                .findOne();
    }

    /** PostgreSQL locks the row; SQLite's write transaction already holds the whole database. */
    @Override
    public Optional<RunRecord> lock(String runId) {
        return tx.handle()
                .createQuery(ctx.sql(ctx.dialect() == Dialect.POSTGRESQL ? LOCK_PG : FIND))
                .bind("id", Args.text(runId))
                .map((rs, c) -> map(rs))
                .findOne();
    }

    @Override
    public Optional<IdempotencyReservation> reserveIdempotencyKey(
            String key, String requestHash, String runId, Instant at) {
        Handle handle = tx.handle();
        int inserted = handle.createUpdate(ctx.sql(RESERVE))
                .bind("key", Args.text(key))
                .bind("hash", Args.text(requestHash))
                .bind("run_id", Args.text(runId))
                .bind("at", ctx.instant(at))
                .execute();
        if (inserted == 1) {
            return Optional.empty();
        }
        IdempotencyReservation earlier = handle.createQuery(ctx.sql(FIND_RESERVATION))
                .bind("key", Args.text(key))
                .map((rs, c) -> new IdempotencyReservation(
                        rs.getString("idempotency_key"), rs.getString("request_hash"), rs.getString("run_id")))
                .findOne()
                .orElseThrow(() -> new StoreException("idempotency key " + key
                        + " conflicted on insert but no reservation is stored; this indicates a bug"));
        return Optional.of(earlier);
    }

    @Override
    public boolean updateStatus(String runId, RunStatus expected, RunStatus next, Instant at, JsonNode output) {
        return tx.handle()
                        .createUpdate(ctx.sql(UPDATE_STATUS))
                        .bind("next", Args.text(next.name()))
                        .bind("at", ctx.instant(at))
                        .bind("finished_at", ctx.instant(next.isTerminal() ? at : null))
                        .bind("output", Args.text(ctx.json(output)))
                        .bind("id", Args.text(runId))
                        .bind("expected", Args.text(expected.name()))
                        .execute()
                == 1;
    }

    @Override
    public int decrementSinksRemaining(String runId) {
        return tx.handle()
                .createQuery(ctx.sql(DECREMENT))
                .bind("id", Args.text(runId))
                .map((rs, c) -> rs.getInt(1))
                .findOne()
                .orElseThrow(() -> new StoreException("run " + runId + " does not exist; cannot count down its steps"));
    }

    @Override
    public List<RunRecord> list(RunFilter filter, RunCursor after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM ${t}runs WHERE 1 = 1");
        if (filter != null && filter.status() != null) {
            sql.append(" AND status = :status");
        }
        if (filter != null && filter.graph() != null) {
            sql.append(" AND graph = :graph");
        }
        if (filter != null && filter.idPrefix() != null) {
            // A range on the primary key: every id that starts with the prefix, whatever the characters after it.
            sql.append(" AND id >= :id_from AND id < :id_to");
        }
        if (after != null) {
            // A row-value comparison, so that both dialects walk the (created_at, id) index from the cursor on.
            sql.append(" AND (created_at, id) < (:after_at, :after_id)");
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
        Query query = tx.handle().createQuery(ctx.sql(sql.toString())).bind("limit", Args.integer(limit));
        if (filter != null && filter.status() != null) {
            query.bind("status", Args.text(filter.status().name()));
        }
        if (filter != null && filter.graph() != null) {
            query.bind("graph", Args.text(filter.graph()));
        }
        if (filter != null && filter.idPrefix() != null) {
            query.bind("id_from", Args.text(filter.idPrefix())).bind("id_to", Args.text(filter.idPrefix() + "~"));
        }
        if (after != null) {
            query.bind("after_at", ctx.instant(after.createdAt())).bind("after_id", Args.text(after.runId()));
        }
        return query.map((rs, c) -> map(rs)).list();
    }

    @Override
    public List<GraphVersionRef> unfinishedGraphVersions() {
        return tx.handle()
                .createQuery(ctx.sql(UNFINISHED_VERSIONS))
                .map((rs, c) -> new GraphVersionRef(rs.getString("graph"), rs.getInt("version")))
                .list();
    }

    @Override
    public Map<RunStatus, Long> countByStatus(String graph, long cap) {
        Query query = tx.handle()
                .createQuery(ctx.sql(graph == null ? COUNT_BY_STATUS : COUNT_BY_STATUS_OF_GRAPH))
                .bind("cap", Args.bigint(cap));
        if (graph != null) {
            query.bind("graph", Args.text(graph));
        }
        Map<RunStatus, Long> counts = new EnumMap<>(RunStatus.class);
        query.map((rs, c) -> Map.entry(RunStatus.valueOf(rs.getString("status")), rs.getLong("n")))
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    @Override
    public Map<GraphVersionRef, Long> countUnfinishedByGraphVersion() {
        Map<GraphVersionRef, Long> counts = new HashMap<>();
        tx.handle()
                .createQuery(ctx.sql(COUNT_UNFINISHED))
                .map((rs, c) ->
                        Map.entry(new GraphVersionRef(rs.getString("graph"), rs.getInt("version")), rs.getLong("n")))
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    /**
     * One capped count per status, each a walk of at most {@code :cap} entries of the (status, created_at, id)
     * index, so that the cost stays flat however many finished runs the table keeps.
     */
    private static String countByStatusSql(String condition) {
        return Arrays.stream(RunStatus.values())
                .map(status -> "SELECT '" + status.name() + "' AS status, count(*) AS n FROM (SELECT 1 FROM ${t}runs"
                        + " WHERE status = '" + status.name() + "'" + condition + " LIMIT :cap) AS c")
                .collect(Collectors.joining(" UNION ALL "));
    }

    private static String quoted(Stream<RunStatus> statuses) {
        return statuses.map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));
    }

    private RunRecord map(ResultSet rs) throws SQLException {
        return new RunRecord(
                rs.getString("id"),
                rs.getString("graph"),
                rs.getInt("version"),
                RunStatus.valueOf(rs.getString("status")),
                ctx.json(rs, "input"),
                ctx.json(rs, "output"),
                rs.getString("idempotency_key"),
                rs.getInt("sinks_remaining"),
                ctx.instant(rs, "created_at"),
                ctx.instant(rs, "updated_at"),
                ctx.instant(rs, "finished_at"));
    }
}
