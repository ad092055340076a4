package io.durableruns.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.ports.RunNotFoundException;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.CreateRunResult;
import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.in.RunOperations;
import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunFilter;
import io.durableruns.ports.model.RunPage;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The management routes: runs, their timelines, artifacts and tool calls, retry, cancel and the graphs. */
final class RunRoutes {
    private static final Pattern MEDIA_TYPE =
            Pattern.compile("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+( *;[ -~]*)?");

    private final RunOperations runs;
    private final int bodyLimit;

    RunRoutes(RunOperations runs, int bodyLimit) {
        this.runs = runs;
        this.bodyLimit = bodyLimit;
    }

    /** {@code POST /api/runs}: 201 for a new run, 200 for a repeated request with the same idempotency key. */
    void create(Context ctx) throws Exception {
        byte[] body = RawBody.read(ctx, bodyLimit);
        CreateRunCommand command = CreateRunRequests.parse(body, ctx.header("Idempotency-Key"));
        CreateRunResult result = runs.create(command);
        String id = result.run().run().id();
        ctx.header("Location", "/api/runs/" + id);
        Responses.json(ctx, result.created() ? 201 : 200, JsonViews.runDetails(result.run()));
    }

    /**
     * {@code POST /api/runs/batch}: up to 1,000 runs created in one transaction, all or none. 201 when any run was
     * created, 200 when every one was an earlier run found by its idempotency key; {@code {"runs":[{"created":
     * true,"run":{...}}]}} in the order of the request.
     */
    void createBatch(Context ctx) throws Exception {
        if (ctx.header("Idempotency-Key") != null) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "A batch takes no Idempotency-Key header; give each run its own 'idempotencyKey'");
        }
        byte[] body = RawBody.read(ctx, bodyLimit);
        List<CreateRunResult> results = runs.createAll(CreateRunRequests.parseBatch(body));
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        boolean created = false;
        for (CreateRunResult result : results) {
            created |= result.created();
            list.addObject().put("created", result.created()).set("run", JsonViews.runDetails(result.run()));
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.set("runs", list);
        Responses.json(ctx, created ? 201 : 200, answer);
    }

    /** {@code GET /api/runs?status=&graph=&id=&limit=&cursor=}: newest first. */
    void list(Context ctx) {
        RunPage page = runs.list(new RunListQuery(
                new RunFilter(
                        QueryParams.status(ctx.queryParam("status")),
                        QueryParams.graph(ctx.queryParam("graph")),
                        QueryParams.runIdPrefix(ctx.queryParam("id"))),
                QueryParams.limit(ctx.queryParam("limit")),
                QueryParams.blankToNull(ctx.queryParam("cursor"))));
        ObjectNode body =
                JsonViews.listOf("runs", page.runs(), run -> JsonViews.listedRun(run, page.currentSteps(run.id())));
        body.put("nextCursor", page.nextCursor());
        Responses.json(ctx, 200, body);
    }

    /** {@code GET /api/run-counts?graph=}: the number of runs in each status, counted up to a cap. */
    void counts(Context ctx) {
        Responses.json(ctx, 200, JsonViews.counts(runs.countRuns(QueryParams.graph(ctx.queryParam("graph")))));
    }

    void get(Context ctx) {
        String id = PathIds.runId(ctx);
        RunDetails run = runs.find(id).orElseThrow(() -> new RunNotFoundException(id));
        Responses.json(ctx, 200, JsonViews.runDetails(run));
    }

    void timeline(Context ctx) {
        String id = PathIds.runId(ctx);
        Responses.json(ctx, 200, JsonViews.listOf("events", runs.timeline(id), JsonViews::event));
    }

    void artifacts(Context ctx) {
        String id = PathIds.runId(ctx);
        Responses.json(ctx, 200, JsonViews.listOf("artifacts", runs.artifacts(id), JsonViews::artifact));
    }

    /** The content of one artifact, with its own content type. */
    void artifact(Context ctx) {
        String id = PathIds.runId(ctx);
        String step = PathIds.stepName(ctx);
        String key = PathIds.artifactKey(ctx);
        ArtifactRecord artifact = runs.artifact(id, step, key)
                .orElseThrow(() -> ApiException.notFound(
                        "artifact_not_found", "Run " + id + " has no artifact '" + key + "' from step '" + step + "'"));
        String type = artifact.contentType();
        ctx.status(200)
                .contentType(MEDIA_TYPE.matcher(type).matches() ? type : "application/octet-stream")
                .header("Content-Security-Policy", "sandbox")
                .result(artifact.content());
    }

    void toolCalls(Context ctx) {
        String id = PathIds.runId(ctx);
        Responses.json(ctx, 200, JsonViews.listOf("toolCalls", runs.toolCalls(id), JsonViews::toolCall));
    }

    /** {@code POST /api/runs/{id}/retry}: 202 and the run; 409 unless the run failed. */
    void retry(Context ctx) {
        Responses.json(ctx, 202, JsonViews.runDetails(runs.retry(PathIds.runId(ctx))));
    }

    /** {@code POST /api/runs/{id}/cancel}: 202 and the run; 409 when it already finished. */
    void cancel(Context ctx) {
        Responses.json(ctx, 202, JsonViews.runDetails(runs.cancel(PathIds.runId(ctx))));
    }

    /** {@code GET /api/graphs}: every registered version, with the number of its runs that have not finished. */
    void graphs(Context ctx) {
        Map<GraphVersionRef, Long> unfinished = runs.unfinishedRunsByGraphVersion();
        Responses.json(ctx, 200, JsonViews.listOf("graphs", runs.graphs(), g -> JsonViews.graph(g)
                .put("unfinishedRuns", unfinished.getOrDefault(new GraphVersionRef(g.name(), g.version()), 0L))));
    }
}
