package io.durableruns.jdbc.internal;

import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.TimelineRepository;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.statement.Update;

/**
 * The timeline in SQL. Events are ordered by an ever-growing id; their {@code seq} (1, 2, 3, ... per run) is
 * assigned when they are read, so appending never reads or locks anything.
 */
final class JdbiTimelineRepository implements TimelineRepository {
    private static final String INSERT_INTO =
            "INSERT INTO ${t}timeline_events (run_id, at, type, step, attempt, data) VALUES ";
    private static final String ROW = "(:run_id#, :at#, :type#, :step#, :attempt#, CAST(:data# AS ${json}))";
    /** The most rows of one insert statement: a transaction's events go in one statement, at worst a few. */
    private static final int MAX_ROWS = 16;
    /** The insert statements for 1 to {@link #MAX_ROWS} rows. */
    private static final String[] INSERTS = inserts();

    private static final String FIND_BY_RUN = "SELECT run_id, at, type, step, attempt, data FROM ${t}timeline_events"
            + " WHERE run_id = :run_id ORDER BY id";

    private final JdbiStoreTransaction tx;
    private final StoreContext ctx;

    JdbiTimelineRepository(JdbiStoreTransaction tx) {
        this.tx = tx;
        this.ctx = tx.context();
    }

    /** Appends the events in as few statements as possible: one multi-row insert per {@link #MAX_ROWS} events. */
    @Override
    public void append(List<TimelineEvent> events) {
        for (int from = 0; from < events.size(); from += MAX_ROWS) {
            List<TimelineEvent> rows = events.subList(from, Math.min(events.size(), from + MAX_ROWS));
            Update insert = tx.handle().createUpdate(ctx.sql(INSERTS[rows.size() - 1]));
            for (int i = 0; i < rows.size(); i++) {
                TimelineEvent event = rows.get(i);
                insert.bind("run_id" + i, Args.text(event.runId()))
                        .bind("at" + i, ctx.instant(event.at()))
                        .bind("type" + i, Args.text(event.type().name()))
                        .bind("step" + i, Args.text(event.step()))
                        .bind("attempt" + i, Args.integer(event.attempt()))
                        .bind("data" + i, Args.text(ctx.json(event.data())));
            }
            insert.execute();
        }
    }

    private static String[] inserts() {
        String[] inserts = new String[MAX_ROWS];
        StringBuilder values = new StringBuilder();
        for (int n = 1; n <= MAX_ROWS; n++) {
            if (n > 1) {
                values.append(", ");
            }
            values.append(ROW.replace("#", Integer.toString(n - 1)));
            inserts[n - 1] = INSERT_INTO + values;
        }
        return inserts;
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
