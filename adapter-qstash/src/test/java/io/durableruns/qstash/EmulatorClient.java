package io.durableruns.qstash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Raw HTTP calls to the emulator's API, for tests. */
final class EmulatorClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    record Answer(int status, JsonNode json, HttpResponse<String> raw) {}

    private final QStashEmulator emulator;

    EmulatorClient(QStashEmulator emulator) {
        this.emulator = emulator;
    }

    Answer publish(String destination, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(emulator.url() + "/v2/publish/" + destination))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        b.header("Authorization", "Bearer " + emulator.token());
        return send(b);
    }

    Answer call(String method, String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(emulator.url() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    Answer call(String method, String path) {
        return call(method, path, null, emulator.token());
    }

    private static Answer send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode json = r.body() == null || r.body().isEmpty() ? null : JSON.readTree(r.body());
            return new Answer(r.statusCode(), json, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
