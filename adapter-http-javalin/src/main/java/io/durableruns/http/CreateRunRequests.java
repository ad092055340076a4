package io.durableruns.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.ports.in.CreateRunCommand;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/** Parses the body of {@code POST /api/runs}: {@code {"graph":"research","version":1,"input":{...}}}. */
final class CreateRunRequests {
    private static final Set<String> FIELDS = Set.of("graph", "version", "input");

    private CreateRunRequests() {}

    static CreateRunCommand parse(byte[] body, String idempotencyKey) {
        JsonNode root;
        try {
            root = JsonViews.parse(body);
        } catch (IOException e) {
            throw ApiException.badRequest(
                    "invalid_json",
                    "The request body is not valid JSON; send {\"graph\":\"name\",\"version\":1,\"input\":{...}}");
        }
        if (!root.isObject()) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "The request body must be a JSON object such as {\"graph\":\"name\",\"input\":{...}}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest(
                        "invalid_request",
                        "Unknown field '" + PathIds.clip(name) + "'; the fields are graph, version and input");
            }
        }
        JsonNode graph = root.get("graph");
        if (graph == null || graph.isNull()) {
            throw ApiException.badRequest("invalid_request", "'graph' is required: the name of a registered graph");
        }
        if (!graph.isTextual()) {
            throw ApiException.badRequest("invalid_request", "'graph' must be a string");
        }
        return new CreateRunCommand(graph.asText(), version(root.get("version")), root.get("input"), idempotencyKey);
    }

    private static Integer version(JsonNode version) {
        if (version == null || version.isNull()) {
            return null;
        }
        if (!version.isIntegralNumber() || !version.canConvertToInt()) {
            throw ApiException.badRequest(
                    "invalid_request", "'version' must be a positive integer, or absent for the newest version");
        }
        return version.intValue();
    }
}
