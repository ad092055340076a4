package io.durableruns.qstash.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's REST API, as QStash serves it: {@code POST /v2/publish/{destination}}, {@code POST
 * /v2/batch}, {@code GET /v2/keys}, {@code GET}/{@code DELETE /v2/messages/{id}}, {@code GET /v2/dlq} and
 * {@code GET}/{@code DELETE /v2/dlq/{dlqId}}, all behind {@code Authorization: Bearer <token>}.
 */
public final class EmulatorHttpHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(EmulatorHttpHandler.class);
    private static final String PUBLISH = "/v2/publish/";
    private static final String MESSAGES = "/v2/messages/";
    private static final String DLQ = "/v2/dlq";

    private final EmulatorCore core;
    private final EmulatorSettings settings;
    private final byte[] expectedAuthorization;

    public EmulatorHttpHandler(EmulatorCore core, EmulatorSettings settings) {
        this.core = core;
        this.settings = settings;
        this.expectedAuthorization = ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                route(exchange);
            } catch (RuntimeException e) {
                LOG.error(
                        "The QStash emulator failed on {} {}, which indicates a bug",
                        exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath(),
                        e);
                respond(exchange, 500, Json.error("internal error of the emulator"));
            }
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        if (!authorized(ex)) {
            drain(ex);
            respond(ex, 401, Json.error("Unauthorized"));
            return;
        }
        if (path.startsWith(PUBLISH)) {
            requireMethod(ex, method, "POST", () -> publish(ex));
        } else if (path.equals("/v2/batch")) {
            requireMethod(ex, method, "POST", () -> batch(ex));
        } else if (path.equals("/v2/keys")) {
            requireMethod(
                    ex,
                    method,
                    "GET",
                    () -> respond(
                            ex,
                            200,
                            Json.object()
                                    .put("current", settings.currentSigningKey())
                                    .put("next", settings.nextSigningKey())));
        } else if (path.startsWith(MESSAGES) && path.length() > MESSAGES.length()) {
            message(ex, method, path.substring(MESSAGES.length()));
        } else if (path.equals(DLQ) || path.equals(DLQ + "/")) {
            requireMethod(ex, method, "GET", () -> listDlq(ex));
        } else if (path.startsWith(DLQ + "/")) {
            dlqMessage(ex, method, path.substring(DLQ.length() + 1));
        } else {
            drain(ex);
            respond(ex, 404, Json.error("not found: " + method + " " + path));
        }
    }

    private boolean authorized(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        return header != null
                && MessageDigest.isEqual(header.strip().getBytes(StandardCharsets.UTF_8), expectedAuthorization);
    }

    private void publish(HttpExchange ex) throws IOException {
        byte[] body = readBody(ex);
        if (body == null) {
            respond(ex, 413, Json.error("message body is larger than " + settings.maxBodyBytes() + " bytes"));
            return;
        }
        if (core.injectPublishFailure()) {
            respond(ex, 500, Json.error("injected failure: the emulator was told to fail this publish"));
            return;
        }
        PublishSpec spec;
        try {
            spec = PublishSpec.parse(destination(ex), headers(ex), body, settings);
        } catch (IllegalArgumentException e) {
            respond(ex, 400, Json.error(e.getMessage()));
            return;
        }
        List<EmulatorCore.Accepted> accepted;
        try {
            accepted = core.publish(List.of(spec), callerIp(ex));
        } catch (EmulatorCore.QueueFullException e) {
            tooMany(ex, e);
            return;
        }
        EmulatorCore.Accepted a = accepted.get(0);
        respond(ex, a.deduplicated() ? 202 : 201, acceptedJson(a));
    }

    private void batch(HttpExchange ex) throws IOException {
        byte[] body = readBody(ex);
        if (body == null) {
            respond(ex, 413, Json.error("batch body is larger than " + settings.maxBodyBytes() + " bytes"));
            return;
        }
        if (core.injectPublishFailure()) {
            respond(ex, 500, Json.error("injected failure: the emulator was told to fail this batch"));
            return;
        }
        List<PublishSpec> specs = new ArrayList<>();
        try {
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new IllegalArgumentException("the batch body is not valid JSON");
            }
            if (root == null || !root.isArray() || root.isEmpty()) {
                throw new IllegalArgumentException(
                        "the batch body must be a non-empty JSON array of" + " {destination, body, headers}");
            }
            for (JsonNode entry : root) {
                specs.add(batchEntry(entry));
            }
        } catch (IllegalArgumentException e) {
            respond(ex, 400, Json.error(e.getMessage()));
            return;
        }
        List<EmulatorCore.Accepted> accepted;
        try {
            accepted = core.publish(specs, callerIp(ex));
        } catch (EmulatorCore.QueueFullException e) {
            tooMany(ex, e);
            return;
        }
        ArrayNode answer = Json.MAPPER.createArrayNode();
        accepted.forEach(a -> answer.add(acceptedJson(a)));
        respond(ex, 200, answer);
    }

    private PublishSpec batchEntry(JsonNode entry) {
        if (!entry.isObject() || !entry.path("destination").isTextual()) {
            throw new IllegalArgumentException("every batch entry needs a 'destination' string");
        }
        if (entry.hasNonNull("queue")) {
            throw new IllegalArgumentException("queues are not supported by the local emulator");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = entry.path("headers");
        if (!h.isMissingNode() && !h.isNull()) {
            if (!h.isObject()) {
                throw new IllegalArgumentException("'headers' of a batch entry must be an object of strings");
            }
            h.properties()
                    .forEach(f -> headers.put(
                            f.getKey(),
                            f.getValue().isArray()
                                    ? (f.getValue().isEmpty()
                                            ? ""
                                            : f.getValue().get(0).asText())
                                    : f.getValue().asText()));
        }
        JsonNode b = entry.path("body");
        byte[] body = b.isMissingNode() || b.isNull()
                ? new byte[0]
                : (b.isTextual() ? b.asText() : b.toString()).getBytes(StandardCharsets.UTF_8);
        return PublishSpec.parse(normaliseDestination(entry.get("destination").asText()), headers, body, settings);
    }

    private void message(HttpExchange ex, String method, String id) throws IOException {
        drain(ex);
        if (method.equals("GET")) {
            Optional<ObjectNode> m = core.message(id);
            if (m.isPresent()) {
                respond(ex, 200, m.get());
            } else {
                respond(ex, 404, Json.error("message " + id + " not found"));
            }
        } else if (method.equals("DELETE")) {
            if (core.cancel(id)) {
                respond(ex, 202, null);
            } else {
                respond(ex, 404, Json.error("message " + id + " not found"));
            }
        } else {
            respond(ex, 405, Json.error("method not allowed"));
        }
    }

    private void listDlq(HttpExchange ex) throws IOException {
        ObjectNode answer = Json.object();
        ArrayNode messages = answer.putArray("messages");
        core.dlq().forEach(messages::add);
        respond(ex, 200, answer);
    }

    private void dlqMessage(HttpExchange ex, String method, String dlqId) throws IOException {
        drain(ex);
        if (method.equals("GET")) {
            Optional<ObjectNode> m = core.dlqMessage(dlqId);
            if (m.isPresent()) {
                respond(ex, 200, m.get());
            } else {
                respond(ex, 404, Json.error("dlq message " + dlqId + " not found"));
            }
        } else if (method.equals("DELETE")) {
            if (core.deleteDlqMessage(dlqId)) {
                respond(ex, 200, null);
            } else {
                respond(ex, 404, Json.error("dlq message " + dlqId + " not found"));
            }
        } else {
            respond(ex, 405, Json.error("method not allowed"));
        }
    }

    private static ObjectNode acceptedJson(EmulatorCore.Accepted a) {
        ObjectNode n = Json.object().put("messageId", a.messageId()).put("url", a.url());
        if (a.deduplicated()) {
            n.put("deduplicated", true);
        }
        return n;
    }

    private static void tooMany(HttpExchange ex, EmulatorCore.QueueFullException e) throws IOException {
        long resetSeconds = System.currentTimeMillis() / 1000 + 1;
        ex.getResponseHeaders().set("Burst-RateLimit-Limit", "0");
        ex.getResponseHeaders().set("Burst-RateLimit-Remaining", "0");
        ex.getResponseHeaders().set("Burst-RateLimit-Reset", Long.toString(resetSeconds));
        ex.getResponseHeaders().set("Retry-After", "1");
        respond(ex, 429, Json.error(e.getMessage()));
    }

    /** The destination from the path: everything after {@code /v2/publish/}, the query included. */
    private static String destination(HttpExchange ex) {
        String raw = ex.getRequestURI().getRawPath().substring(PUBLISH.length());
        String query = ex.getRequestURI().getRawQuery();
        return normaliseDestination(raw + (query == null ? "" : "?" + query));
    }

    /** Accepts an encoded destination and repairs {@code https:/host} (a proxy may merge the slashes). */
    static String normaliseDestination(String destination) {
        String d = destination;
        String lower = d.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http%3a") || lower.startsWith("https%3a")) {
            d = URLDecoder.decode(d, StandardCharsets.UTF_8);
            lower = d.toLowerCase(Locale.ROOT);
        }
        for (String scheme : new String[] {"http:/", "https:/"}) {
            if (lower.startsWith(scheme) && !lower.startsWith(scheme + "/")) {
                d = d.substring(0, scheme.length()) + "/" + d.substring(scheme.length());
            }
        }
        return d;
    }

    private static Map<String, String> headers(HttpExchange ex) {
        Map<String, String> h = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> {
            if (k != null && !v.isEmpty()) {
                h.put(k, String.join(", ", v));
            }
        });
        return h;
    }

    private static String callerIp(HttpExchange ex) {
        return ex.getRemoteAddress() == null || ex.getRemoteAddress().getAddress() == null
                ? ""
                : ex.getRemoteAddress().getAddress().getHostAddress();
    }

    /** The request body, or null when it is larger than allowed. */
    private byte[] readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(settings.maxBodyBytes() + 1);
            if (body.length > settings.maxBodyBytes()) {
                in.transferTo(OutputStream.nullOutputStream());
                return null;
            }
            return body;
        }
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static void requireMethod(HttpExchange ex, String method, String allowed, IoAction action)
            throws IOException {
        if (!method.equals(allowed)) {
            drain(ex);
            ex.getResponseHeaders().set("Allow", allowed);
            respond(ex, 405, Json.error("method not allowed: use " + allowed));
            return;
        }
        action.run();
    }

    private static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : Json.MAPPER.writeValueAsBytes(body);
        if (body != null) {
            ex.getResponseHeaders().set("Content-Type", "application/json");
        }
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
