package io.durableruns.jdbc.internal;

import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.TimelineRepository;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The timeline in SQL. Events are ordered by an ever-growing id; their {@code seq} (1, 2, 3, ... per run) is
 * assigned when they are read, so appending never reads or locks anything.
 */
final class JdbiTimelineRepository implements TimelineRepository {
    private static final String INSERT = "INSERT INTO ${t}timeline_events (run_id, at, type, step, attempt, data)"
            + " VALUES (:run_id, :at, :type, :step, :attempt, CAST(:data AS ${json}))";
    private static final String FIND_BY_RUN = "SELECT run_id, at, type, step, attempt, data FROM ${t}timeline_events"
            + " WHERE run_id = :run_id ORDER BY id";

    private final JdbiStoreTransaction tx;
    private final StoreContext ctx;

    JdbiTimelineRepository(JdbiStoreTransaction tx) {
        this.tx = tx;
        this.ctx = tx.context();
    }

    @Override
    public void append(List<TimelineEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        PreparedBatch batch = tx.handle().prepareBatch(ctx.sql(INSERT));
        for (TimelineEvent event : events) {
            batch.bind("run_id", Args.text(event.runId()))
                    .bind("at", ctx.instant(event.at()))
                    .bind("type", Args.text(event.type().name()))
                    .bind("step", Args.text(event.step()))
                    .bind("attempt", Args.integer(event.attempt()))
                    .bind("data", Args.text(ctx.json(event.data())))
                    .add();
        }
        batch.execute();
    }

    @Override
    public List<TimelineEvent> findByRun(String runId) {
        List<TimelineEvent> events = new ArrayList<>();
        tx.handle()
                .createQuery(ctx.sql(FIND_BY_RUN))
                .bind("run_id", Args.text(runId))
                .map((rs, c) -> {
                    int attempt = rs.getInt("attempt");
                    Integer boxed = rs.wasNull() ? null : attempt;
                    return new TimelineEvent(
                            events.size() + 1L,
                            rs.getString("run_id"),
                            ctx.instant(rs, "at"),
                            EventType.valueOf(rs.getString("type")),
                            rs.getString("step"),
                            boxed,
                            ctx.json(rs, "data"));
                })
                .forEach(events::add);
        return events;
    }
}
