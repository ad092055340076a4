package io.durableruns.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.ports.InvalidRequestException;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.CreateRunUseCase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Parses the bodies of {@code POST /api/runs}, {@code {"graph":"research","version":1,"input":{...}}}, and of
 * {@code POST /api/runs/batch}, {@code {"runs":[{"graph":...,"version":...,"input":...,"idempotencyKey":...}]}}.
 */
final class CreateRunRequests {
    private static final Set<String> FIELDS = Set.of("graph", "version", "input");
    private static final Set<String> BATCH_FIELDS = Set.of("graph", "version", "input", "idempotencyKey");

    private CreateRunRequests() {}

    static CreateRunCommand parse(byte[] body, String idempotencyKey) {
        JsonNode root = json(body, "{\"graph\":\"name\",\"version\":1,\"input\":{...}}");
        return command(root, idempotencyKey, FIELDS, "");
    }

    /** The commands of a batch, in order; an element's error names its index ({@code runs[2]: ...}). */
    static List<CreateRunCommand> parseBatch(byte[] body) {
        JsonNode root = json(body, "{\"runs\":[{\"graph\":\"name\",\"input\":{...}}]}");
        if (!root.isObject() || root.size() != 1 || !root.has("runs")) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "The request body must be a JSON object with one field, 'runs': {\"runs\":[{\"graph\":\"name\","
                            + "\"input\":{...},\"idempotencyKey\":\"optional\"}]}");
        }
        JsonNode runs = root.get("runs");
        if (!runs.isArray() || runs.isEmpty() || runs.size() > CreateRunUseCase.MAX_RUNS_PER_CALL) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "'runs' must be an array of 1 to " + CreateRunUseCase.MAX_RUNS_PER_CALL + " runs to create");
        }
        List<CreateRunCommand> commands = new ArrayList<>(runs.size());
        for (int i = 0; i < runs.size(); i++) {
            String where = "runs[" + i + "]: ";
            JsonNode run = runs.get(i);
            try {
                commands.add(command(run, idempotencyKey(run, where), BATCH_FIELDS, where));
            } catch (InvalidRequestException e) {
                throw ApiException.badRequest("invalid_request", where + e.getMessage());
            }
        }
        return commands;
    }

    private static JsonNode json(byte[] body, String example) {
        try {
            return JsonViews.parse(body);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid_json", "The request body is not valid JSON; send " + example);
        }
    }

    private static String idempotencyKey(JsonNode run, String where) {
        JsonNode key = run.get("idempotencyKey");
        if (key == null || key.isNull()) {
            return null;
        }
        if (!key.isTextual()) {
            throw ApiException.badRequest("invalid_request", where + "'idempotencyKey' must be a string");
        }
        return key.asText();
    }

    private static CreateRunCommand command(JsonNode root, String idempotencyKey, Set<String> fields, String where) {
        if (!root.isObject()) {
            throw ApiException.badRequest(
                    "invalid_request",
                    where + (where.isEmpty() ? "The request body" : "A run")
                            + " must be a JSON object such as {\"graph\":\"name\",\"input\":{...}}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw ApiException.badRequest(
                        "invalid_request",
                        where + "Unknown field '" + PathIds.clip(name) + "'; the fields are graph, version"
                                + (fields.contains("idempotencyKey") ? ", input and idempotencyKey" : " and input"));
            }
        }
        JsonNode graph = root.get("graph");
        if (graph == null || graph.isNull()) {
            throw ApiException.badRequest(
                    "invalid_request", where + "'graph' is required: the name of a registered graph");
        }
        if (!graph.isTextual()) {
            throw ApiException.badRequest("invalid_request", where + "'graph' must be a string");
        }
        return new CreateRunCommand(
                graph.asText(), version(root.get("version"), where), root.get("input"), idempotencyKey);
    }

    private static Integer version(JsonNode version, String where) {
        if (version == null || version.isNull()) {
            return null;
        }
        if (!version.isIntegralNumber() || !version.canConvertToInt()) {
            throw ApiException.badRequest(
                    "invalid_request",
                    where + "'version' must be a positive integer, or absent for the newest version");
        }
        return version.intValue();
    }
}
