package io.durableruns.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.model.Ids;
import java.io.IOException;
import java.util.Base64;

/** Parses the signed bodies QStash sends: step deliveries and failure callbacks. */
final class StepMessages {
    private StepMessages() {}

    /**
     * A step delivery body: {@code {"runId":"run_...","step":"plan","attempt":2}} ({@code attempt} optional);
     * other fields are ignored.
     */
    static StepMessage delivery(byte[] body) {
        return message(object(body, "A step delivery"), "A step delivery");
    }

    /**
     * A failure callback body: QStash's JSON with {@code sourceBody}, the base64 of the original delivery
     * body.
     */
    static FailureCallback failureCallback(byte[] body) {
        JsonNode root = object(body, "A failure callback");
        JsonNode source = root.get("sourceBody");
        if (source == null || !source.isTextual()) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "A failure callback needs 'sourceBody', the base64 of the original step message");
        }
        byte[] original;
        try {
            original = Base64.getDecoder().decode(source.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_request", "'sourceBody' is not valid base64");
        }
        StepMessage message = message(
                object(original, "The 'sourceBody' of a failure callback"), "The 'sourceBody' of a failure callback");
        return new FailureCallback(message, intOrNull(root.get("status")), intOrNull(root.get("retried")));
    }

    private static JsonNode object(byte[] body, String what) {
        JsonNode root;
        try {
            root = JsonViews.parse(body);
        } catch (IOException e) {
            throw ApiException.badRequest("invalid_json", what + " must be a JSON object; it is not valid JSON");
        }
        if (!root.isObject()) {
            throw ApiException.badRequest("invalid_request", what + " must be a JSON object");
        }
        return root;
    }

    private static StepMessage message(JsonNode root, String what) {
        JsonNode runId = root.get("runId");
        JsonNode step = root.get("step");
        if (runId == null || !runId.isTextual() || step == null || !step.isTextual()) {
            throw ApiException.badRequest(
                    "invalid_request",
                    what + " needs the strings 'runId' and 'step': {\"runId\":\"run_...\",\"step\":\"name\"}");
        }
        if (!Ids.isRunId(runId.asText())) {
            throw ApiException.badRequest(
                    "invalid_request", what + " has a malformed 'runId': '" + PathIds.clip(runId.asText()) + "'");
        }
        if (!Ids.isName(step.asText())) {
            throw ApiException.badRequest(
                    "invalid_request", what + " has a malformed 'step': '" + PathIds.clip(step.asText()) + "'");
        }
        JsonNode attempt = root.get("attempt");
        if (attempt != null
                && !attempt.isNull()
                && (!attempt.isIntegralNumber() || !attempt.canConvertToInt() || attempt.intValue() < 1)) {
            throw ApiException.badRequest("invalid_request", what + " has a malformed 'attempt': a positive integer");
        }
        return new StepMessage(
                runId.asText(), step.asText(), attempt == null || attempt.isNull() ? null : attempt.intValue());
    }

    private static Integer intOrNull(JsonNode node) {
        return node != null && node.canConvertToInt() && node.isIntegralNumber() ? node.intValue() : null;
    }

    /** What a failure callback says: the message QStash gave up on, its last answer status and retries. */
    record FailureCallback(StepMessage message, Integer status, Integer retried) {
        String reason() {
            return "QStash stopped delivering the step message after "
                    + (retried == null ? "its" : retried) + " retries"
                    + (status == null ? "" : " (last answer: HTTP " + status + ")");
        }
    }
}
