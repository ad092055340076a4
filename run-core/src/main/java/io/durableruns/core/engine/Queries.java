package io.durableruns.core.engine;

import io.durableruns.ports.InvalidRequestException;
import io.durableruns.ports.RunNotFoundException;
import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.model.Ids;
import io.durableruns.ports.model.RunCounts;
import io.durableruns.ports.model.RunCursor;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunPage;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.StepSummary;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Read-side use cases: run details, the keyset-paginated run listing and the run counts. */
final class Queries {
    /** The steps a listing shows beside each run: what it is doing, waiting for, or failed at. */
    private static final Set<StepStatus> CURRENT_STEP_STATUSES =
            EnumSet.of(StepStatus.RUNNING, StepStatus.RETRYING, StepStatus.FAILED);

    private final EngineSettings s;

    Queries(EngineSettings settings) {
        this.s = settings;
    }

    RunDetails details(StoreTransaction tx, String runId) {
        RunRecord run = tx.runs().find(runId).orElseThrow(() -> new RunNotFoundException(runId));
        return new RunDetails(run, tx.steps().findByRun(runId));
    }

    <R> R withRun(String runId, RunStore.TransactionWork<R> work) {
        return s.store().read(tx -> {
            if (tx.runs().find(runId).isEmpty()) {
                throw new RunNotFoundException(runId);
            }
            return work.apply(tx);
        });
    }

    RunPage list(RunListQuery query) {
        RunCursor after = query.cursor() == null ? null : decode(query.cursor());
        return s.store().read(tx -> {
            List<RunRecord> rows = tx.runs().list(query.filter(), after, query.limit() + 1);
            List<RunRecord> page = rows.size() <= query.limit() ? rows : rows.subList(0, query.limit());
            Map<String, List<StepSummary>> current =
                    tx.steps().findSummaries(page.stream().map(RunRecord::id).toList(), CURRENT_STEP_STATUSES).stream()
                            .collect(Collectors.groupingBy(StepSummary::runId));
            if (rows.size() <= query.limit()) {
                return new RunPage(page, null, current);
            }
            RunRecord last = page.get(page.size() - 1);
            return new RunPage(page, encode(new RunCursor(last.createdAt(), last.id())), current);
        });
    }

    RunCounts countRuns(String graph) {
        if (graph != null && !Ids.isName(graph)) {
            throw new InvalidRequestException("malformed graph name: " + graph);
        }
        return s.store()
                .read(tx ->
                        new RunCounts(tx.runs().countByStatus(graph, RunCounts.DEFAULT_CAP), RunCounts.DEFAULT_CAP));
    }

    static String encode(RunCursor cursor) {
        String raw =
                cursor.createdAt().getEpochSecond() + "." + cursor.createdAt().getNano() + "." + cursor.runId();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static RunCursor decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = raw.split("\\.", 3);
            Instant at = Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
            if (!Ids.isRunId(parts[2])) {
                throw new IllegalArgumentException("bad run id");
            }
            return new RunCursor(at, parts[2]);
        } catch (RuntimeException e) {
            throw new InvalidRequestException("malformed cursor: pass the nextCursor of the previous page unchanged");
        }
    }

    static void requireRunId(String runId) {
        if (!Ids.isRunId(runId)) {
            throw new InvalidRequestException("malformed run id: " + runId);
        }
    }
}
