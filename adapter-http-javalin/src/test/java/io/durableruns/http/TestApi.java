package io.durableruns.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.in.RunOperations;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A started server over the in-memory engine, and an HTTP client for it, with a clock that moves only when told
 * to. Deliveries go through the job routes as QStash would send them.
 */
final class TestApi implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final SettableClock clock = new SettableClock();
    final InMemoryRunStore store = new InMemoryRunStore();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AtomicBoolean ready = new AtomicBoolean(true);
    final AtomicLong queueDepth = new AtomicLong(7);
    final RunEngine engine;
    final RunsHttpServer server;
    final String token;
    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestApi(Config config) {
        this.token = config.token;
        this.engine = RunEngine.builder()
                .store(store)
                .registry(TestGraphs.registry())
                .clock(clock)
                .observer(new MicrometerEngineObserver(registry))
                .enforceTimeouts(false)
                .build();
        RunsHttpServer.Builder builder = RunsHttpServer.builder()
                .operations(config.operations.apply(engine))
                .apiToken(config.token)
                .bodyLimit(config.bodyLimit)
                .readiness(ready::get)
                .queueDepth(queueDepth::get)
                .meterRegistry(registry)
                .port(0);
        if (config.verifier) {
            builder.verifier(new FakeVerifier());
        }
        if (config.host != null) {
            builder.host(config.host);
        }
        this.server = builder.build().start();
    }

    static TestApi start() {
        return new Config().start();
    }

    static Config with() {
        return new Config();
    }

    /** Options of the server under test. */
    static final class Config {
        private String token;
        private long bodyLimit = RunsHttpServer.DEFAULT_BODY_LIMIT;
        private boolean verifier = true;
        private String host;
        private UnaryOperator<RunOperations> operations = ops -> ops;

        Config token(String value) {
            this.token = value;
            return this;
        }

        Config bodyLimit(long value) {
            this.bodyLimit = value;
            return this;
        }

        Config noVerifier() {
            this.verifier = false;
            return this;
        }

        Config host(String value) {
            this.host = value;
            return this;
        }

        Config operations(UnaryOperator<RunOperations> value) {
            this.operations = value;
            return this;
        }

        TestApi start() {
            return new TestApi(this);
        }
    }

    @Override
    public void close() {
        server.close();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** A request with the API token, if the server has one. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    Response get(String path) {
        return send(request(path).GET());
    }

    Response post(String path, String body, String... headers) {
        return post(path, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** A POST with {@code Content-Type: application/json} unless {@code headers} name another content type. */
    Response post(String path, byte[] body, String... headers) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (!typed) {
            b.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a run of the newest version over HTTP and returns its id. */
    String createRun(String graph, String input) {
        return createRun(graph, null, input);
    }

    String createRun(String graph, Integer version, String input) {
        Response r =
                post("/api/runs", "{\"graph\":\"" + graph + "\",\"version\":" + version + ",\"input\":" + input + "}");
        if (r.status() != 201) {
            throw new AssertionError("create failed: " + r);
        }
        return r.json().path("id").asText();
    }

    /** A correctly signed step delivery. */
    Response deliver(String runId, String step, String... headers) {
        return signed("/api/jobs/run-step", "{\"runId\":\"" + runId + "\",\"step\":\"" + step + "\"}", headers);
    }

    /** Delivers the message that was published for {@code attempt} of the step. */
    Response deliverAttempt(String runId, String step, int attempt) {
        return signed(
                "/api/jobs/run-step",
                "{\"runId\":\"" + runId + "\",\"step\":\"" + step + "\",\"attempt\":" + attempt + "}");
    }

    private Response signed(String path, String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Upstash-Signature";
        all[1] = FakeVerifier.sign(body);
        System.arraycopy(headers, 0, all, 2, headers.length);
        return post(path, body, all);
    }

    int runCount() {
        return engine.list(new RunListQuery(null, RunListQuery.MAX_LIMIT, null))
                .runs()
                .size();
    }

    RunDetails run(String runId) {
        return engine.find(runId).orElseThrow();
    }

    StepStatus stepStatus(String runId, String step) {
        return run(runId).step(step).map(StepRecord::status).orElseThrow();
    }

    List<TimelineEvent> timeline(String runId) {
        return engine.timeline(runId);
    }

    int timelineSize(String runId) {
        return engine.timeline(runId).size();
    }

    Optional<String> metricsLine(String prefix) {
        return get("/metrics").text().lines().filter(l -> l.startsWith(prefix)).findFirst();
    }

    record Response(int status, HttpHeaders headers, byte[] body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text(), e);
            }
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String errorCode() {
            return json().path("error").path("code").asText(null);
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }
}
