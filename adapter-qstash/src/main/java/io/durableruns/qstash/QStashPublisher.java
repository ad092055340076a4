package io.durableruns.qstash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.qstash.internal.Json;
import io.durableruns.qstash.internal.RateLimitReset;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The raw QStash publishing calls: {@code POST /v2/publish/{destination}} and {@code POST /v2/batch}, with
 * {@code Authorization: Bearer} and nothing else added. Answers are returned, never thrown: network errors
 * are a {@link Response} with status 0. Thread-safe. The token never appears in a response or exception.
 *
 * <pre>{@code
 * QStashPublisher publisher = new QStashPublisher(config);
 * QStashPublisher.Response r = publisher.publish(new QStashPublisher.Message(
 *         config.stepUrl(), body, Map.of("Content-Type", "application/json", "Upstash-Retries", "3")));
 * if (r.kind() == QStashPublisher.Kind.ACCEPTED) { ... }
 * }</pre>
 */
public final class QStashPublisher {
    /** How long one publish request may take. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final String baseUrl;
    private final String authorization;
    private final HttpClient client;
    private final Duration requestTimeout;

    /** Publishes to {@link QStashConfig#qstashUrl()} with {@link QStashConfig#token()}. */
    public QStashPublisher(QStashConfig config) {
        this(config.qstashUrl(), config.token(), defaultClient(), DEFAULT_REQUEST_TIMEOUT);
    }

    /** Publishes to {@code qstashUrl} with {@code token}, using a default JDK HTTP client. */
    public QStashPublisher(URI qstashUrl, String token) {
        this(qstashUrl, token, defaultClient(), DEFAULT_REQUEST_TIMEOUT);
    }

    public QStashPublisher(URI qstashUrl, String token, HttpClient client, Duration requestTimeout) {
        String base = Objects.requireNonNull(qstashUrl, "qstashUrl").toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        this.baseUrl = base;
        this.authorization = "Bearer " + Objects.requireNonNull(token, "token");
        this.client = Objects.requireNonNull(client, "client");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    static HttpClient defaultClient() {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Publishes one message to its destination. */
    public Response publish(Message message) {
        URI uri;
        try {
            uri = URI.create(baseUrl + "/v2/publish/" + message.destination());
        } catch (IllegalArgumentException e) {
            return Response.failed(400, "the destination is not a valid URL: " + message.destination());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(message.body()));
        try {
            message.headers().forEach(request::header);
        } catch (IllegalArgumentException e) {
            return Response.failed(400, "a message header is not allowed: " + e.getMessage());
        }
        return send(request, false);
    }

    /**
     * Publishes several messages in one request. The answer has one {@link Published} entry per message, in
     * order, when QStash accepted the batch. Bodies must be UTF-8 text (they travel as JSON strings).
     */
    public Response batch(List<Message> messages) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (Message m : messages) {
            ObjectNode entry = array.addObject();
            entry.put("destination", m.destination());
            ObjectNode headers = entry.putObject("headers");
            m.headers().forEach(headers::put);
            entry.put("body", new String(m.body(), StandardCharsets.UTF_8));
        }
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(array);
        } catch (IOException e) {
            throw new IllegalStateException("serialising a batch failed, which indicates a bug", e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/v2/batch"))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return send(request, true);
    }

    private Response send(HttpRequest.Builder request, boolean batch) {
        request.header("Authorization", authorization);
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return Response.failed(
                    0,
                    "QStash is unreachable: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.failed(0, "interrupted while publishing");
        }
        return Response.of(answer.statusCode(), answer.body(), answer.headers().map(), batch);
    }

    /** One message to publish: its destination URL, body and request headers ({@code Upstash-*}, Content-Type). */
    public record Message(String destination, byte[] body, Map<String, String> headers) {
        public Message {
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(body, "body");
            headers = Map.copyOf(headers);
        }
    }

    /** What QStash said about one message: its id, whether it was a duplicate, or an error. */
    public record Published(String messageId, boolean deduplicated, String error) {
        public boolean accepted() {
            return error == null && messageId != null;
        }
    }

    /** How a caller should treat a response. */
    public enum Kind {
        /** 2xx: the message (or batch) was accepted; see {@link Response#published()} per message. */
        ACCEPTED,
        /** 429: wait until {@link Response#retryAt} and try again. */
        RATE_LIMITED,
        /** 5xx, 408 or a network error: try again later with backoff. */
        RETRYABLE,
        /** Another 4xx (400, 401, 403, 412, ...): a configuration problem that retrying will not fix. */
        REJECTED
    }

    /**
     * A QStash answer.
     *
     * @param status the HTTP status, or 0 when QStash could not be reached
     * @param published one entry per message when accepted, in order
     * @param error QStash's {@code error} text or a description of the network error, or null
     * @param headers the response headers (for rate-limit resets)
     */
    public record Response(int status, List<Published> published, String error, Map<String, List<String>> headers) {
        public Response {
            published = List.copyOf(published);
            headers = Map.copyOf(headers);
        }

        static Response failed(int status, String error) {
            return new Response(status, List.of(), error, Map.of());
        }

        static Response of(int status, byte[] body, Map<String, List<String>> headers, boolean batch) {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            headers.forEach((k, v) -> {
                if (k != null) {
                    copy.put(k, List.copyOf(v));
                }
            });
            JsonNode json = parse(body);
            List<Published> published = new ArrayList<>();
            String error = null;
            if (status / 100 == 2) {
                if (json != null && json.isArray()) {
                    json.forEach(entry -> published.add(published(entry)));
                } else if (json != null && json.isObject()) {
                    published.add(published(json));
                }
                if (published.isEmpty()) {
                    error = "QStash accepted the request but its answer has no message id";
                }
            } else {
                error = json != null && json.hasNonNull("error")
                        ? json.get("error").asText()
                        : new String(body, StandardCharsets.UTF_8).strip();
                if (error.length() > 500) {
                    error = error.substring(0, 500);
                }
            }
            return new Response(status, published, error, copy);
        }

        private static JsonNode parse(byte[] body) {
            if (body.length == 0) {
                return null;
            }
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }

        private static Published published(JsonNode entry) {
            String id = entry.hasNonNull("messageId") ? entry.get("messageId").asText() : null;
            String err = entry.hasNonNull("error") ? entry.get("error").asText() : null;
            if (id == null && err == null) {
                err = "no message id in the answer";
            }
            return new Published(id, entry.path("deduplicated").asBoolean(false), err);
        }

        public Kind kind() {
            if (status / 100 == 2) {
                return Kind.ACCEPTED;
            } else if (status == 429) {
                return Kind.RATE_LIMITED;
            } else if (status == 0 || status == 408 || status >= 500) {
                return Kind.RETRYABLE;
            }
            return Kind.REJECTED;
        }

        /** For a 429: when to try again, from the reset headers or {@code Retry-After}. */
        public Optional<Instant> retryAt(Instant now) {
            return RateLimitReset.resetAt(RateLimitReset.lookup(headers), now);
        }
    }
}
