package io.durableruns.jdbc.internal;

import io.durableruns.ports.model.ToolCallRecord;
import io.durableruns.ports.out.ToolCallRepository;
import java.util.List;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Tool calls in SQL, in the order they were recorded (an ever-growing id). */
final class JdbiToolCallRepository implements ToolCallRepository {
    private static final String INSERT =
            "INSERT INTO ${t}tool_calls (run_id, step, attempt, tool, input, output, error,"
                    + " started_at, duration_ms) VALUES (:run_id, :step, :attempt, :tool, CAST(:input AS ${json}),"
                    + " CAST(:output AS ${json}), :error, :started_at, :duration_ms)";
    private static final String FIND_BY_RUN = "SELECT run_id, step, attempt, tool, input, output, error, started_at,"
            + " duration_ms FROM ${t}tool_calls WHERE run_id = :run_id ORDER BY id";

    private final JdbiStoreTransaction tx;
    private final StoreContext ctx;

    JdbiToolCallRepository(JdbiStoreTransaction tx) {
        this.tx = tx;
        this.ctx = tx.context();
    }

    @Override
    public void insertAll(List<ToolCallRecord> calls) {
        if (calls.isEmpty()) {
            return;
        }
        PreparedBatch batch = tx.handle().prepareBatch(ctx.sql(INSERT));
        for (ToolCallRecord call : calls) {
            batch.bind("run_id", Args.text(call.runId()))
                    .bind("step", Args.text(call.step()))
                    .bind("attempt", Args.integer(call.attempt()))
                    .bind("tool", Args.text(call.tool()))
                    .bind("input", Args.text(ctx.json(call.input())))
                    .bind("output", Args.text(ctx.json(call.output())))
                    .bind("error", Args.text(call.error()))
                    .bind("started_at", ctx.instant(call.startedAt()))
                    .bind("duration_ms", Args.bigint(call.durationMs()))
                    .add();
        }
        batch.execute();
    }

    @Override
    public List<ToolCallRecord> findByRun(String runId) {
        return tx.handle()
                .createQuery(ctx.sql(FIND_BY_RUN))
                .bind("run_id", Args.text(runId))
                .map((rs, c) -> new ToolCallRecord(
                        rs.getString("run_id"),
                        rs.getString("step"),
                        rs.getInt("attempt"),
                        rs.getString("tool"),
                        ctx.json(rs, "input"),
                        ctx.json(rs, "output"),
                        rs.getString("error"),
                        ctx.instant(rs, "started_at"),
                        rs.getLong("duration_ms")))
                .list();
    }
}
