package io.durableruns.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.examples.server.RunsServer;
import io.durableruns.qstash.QStashEmulator;
import io.durableruns.qstash.QStashSigner;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server on its zero-setup default (SQLite, local dispatcher), over real HTTP. */
class ServerEndToEndTest {
    @TempDir
    Path dir;

    private RunsServer server;
    private Http http;

    @BeforeEach
    void start() {
        server = RunsServer.start(
                Map.of("PORT", "0", "DATABASE_URL", "jdbc:sqlite:" + dir.resolve("runs.db"), "RUNS_WORKERS", "4"));
        http = new Http(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static boolean finished(JsonNode run) {
        return List.of("SUCCEEDED", "FAILED", "CANCELLED")
                .contains(run.path("status").asText());
    }

    @Test
    void a_run_whose_client_hung_up_at_once_completes() throws Exception {
        String body = "{\"graph\":\"research\",\"input\":{\"topic\":\"no client\",\"sleepMs\":50}}";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("POST /api/runs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        JsonNode list = http.await("/api/runs", l -> l.path("runs").size() == 1, Duration.ofSeconds(10));
        String id = list.path("runs").get(0).path("id").asText();
        JsonNode run = http.await("/api/runs/" + id, ServerEndToEndTest::finished, Duration.ofSeconds(30));
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(http.get("/api/runs/" + id + "/artifacts/write-spec/spec.md").body())
                .startsWith("# Spec: no client");
    }

    @Test
    void a_failing_run_shows_why_and_succeeds_after_a_manual_retry() throws Exception {
        Http.Answer created = http.post("/api/runs", "{\"graph\":\"flaky\",\"input\":{\"failTimes\":{\"wobble\":2}}}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(created.raw().headers().firstValue("Location")).contains("/api/runs/" + id);

        JsonNode failed = http.await("/api/runs/" + id, ServerEndToEndTest::finished, Duration.ofSeconds(30));
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        JsonNode wobble = failed.path("steps").get(0);
        assertThat(wobble.path("attempt").asInt()).isEqualTo(2);
        assertThat(wobble.path("error").path("message").asText()).contains("asked to fail 2 time(s)");

        assertThat(http.post("/api/runs/" + id + "/retry", "").status()).isEqualTo(202);
        JsonNode retried = http.await("/api/runs/" + id, ServerEndToEndTest::finished, Duration.ofSeconds(30));
        assertThat(retried.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(retried.path("steps").get(0).path("attempt").asInt()).isEqualTo(3);

        List<String> types = new ArrayList<>();
        http.get("/api/runs/" + id + "/timeline")
                .json()
                .path("events")
                .forEach(e -> types.add(e.path("type").asText()));
        assertThat(types)
                .containsSubsequence(
                        "STEP_FAILED",
                        "STEP_RETRY_SCHEDULED",
                        "STEP_FAILED",
                        "RUN_FAILED",
                        "RUN_RETRIED",
                        "STEP_SUCCEEDED",
                        "RUN_SUCCEEDED");
        assertThat(http.get("/api/runs/" + id + "/tool-calls").json().path("toolCalls"))
                .hasSize(1);
        assertThat(http.post("/api/runs/" + id + "/retry", "").status()).isEqualTo(409);
    }

    @Test
    void the_same_idempotency_key_returns_the_same_run_and_bad_input_stores_nothing() {
        String body = "{\"graph\":\"research\",\"input\":{\"topic\":\"once\"}}";
        Http.Answer first = http.post("/api/runs", body, "Idempotency-Key", "order-17");
        Http.Answer again = http.post("/api/runs", body, "Idempotency-Key", "order-17");
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("id").asText())
                .isEqualTo(first.json().path("id").asText());
        assertThat(http.post(
                                "/api/runs",
                                "{\"graph\":\"research\",\"input\":{\"topic\":\"other\"}}",
                                "Idempotency-Key",
                                "order-17")
                        .status())
                .isEqualTo(409);

        assertThat(http.post("/api/runs", "{\"graph\":", new String[0]).status())
                .isEqualTo(400);
        assertThat(http.post("/api/runs", "{\"input\":{}}").status()).isEqualTo(400);
        assertThat(http.post("/api/runs", "{\"graph\":\"research\",\"input\":{\"x\":1e400}}")
                        .status())
                .isEqualTo(400);
        assertThat(http.post("/api/runs", "{\"graph\":\"nope\"}").status()).isEqualTo(404);
        assertThat(http.post("/api/runs", "{\"graph\":\"research\",\"version\":9}")
                        .status())
                .isEqualTo(404);
        assertThat(http.post("/api/runs", "{\"graph\":\"research\",\"input\":\"" + "x".repeat(1_100_000) + "\"}")
                        .status())
                .isEqualTo(413);
        assertThat(http.get("/api/runs").json().path("runs")).hasSize(1);
    }

    @Test
    void without_qstash_the_job_routes_refuse_unsigned_and_signed_looking_requests_and_change_nothing()
            throws Exception {
        String id = http.post("/api/runs", "{\"graph\":\"flaky\",\"input\":{\"failTimes\":{\"wobble\":2}}}")
                .json()
                .path("id")
                .asText();
        JsonNode failed = http.await("/api/runs/" + id, ServerEndToEndTest::finished, Duration.ofSeconds(30));
        String timeline = http.get("/api/runs/" + id + "/timeline").body();
        String body = "{\"runId\":\"" + id + "\",\"step\":\"wobble\"}";
        QStashSigner devKey = new QStashSigner(QStashEmulator.DEV_CURRENT_SIGNING_KEY);
        String base = "http://127.0.0.1:" + server.port();

        List<Http.Answer> answers = List.of(
                http.post("/api/jobs/run-step", body),
                http.post(
                        "/api/jobs/run-step",
                        body,
                        "Upstash-Signature",
                        devKey.sign(base + "/api/jobs/run-step", body.getBytes(StandardCharsets.UTF_8))),
                http.post("/api/jobs/step-failed", body),
                http.post(
                        "/api/jobs/step-failed",
                        body,
                        "Upstash-Signature",
                        devKey.sign(base + "/api/jobs/step-failed", body.getBytes(StandardCharsets.UTF_8))));

        assertThat(answers).extracting(Http.Answer::status).containsOnly(401);
        assertThat(http.get("/api/runs/" + id).json()).isEqualTo(failed);
        assertThat(http.get("/api/runs/" + id + "/timeline").body()).isEqualTo(timeline);
        assertThat(http.get("/metrics").body())
                .contains("durableruns_signature_rejections_total{reason=\"no_verifier\"} 4.0");
        assertThat(http.post("/api/runs/" + id + "/retry", "").status()).isEqualTo(202);
    }

    @Test
    void health_readiness_graphs_and_metrics_answer() {
        assertThat(http.get("/healthz").status()).isEqualTo(200);
        assertThat(http.get("/readyz").status()).isEqualTo(200);
        JsonNode graphs = http.get("/api/graphs").json();
        assertThat(graphs.toString()).contains("research", "flaky", "sha256:");
        assertThat(http.get("/metrics").body()).contains("durableruns_queue_depth");
        assertThat(http.get("/api/runs/run_00000000000000000000000000").status())
                .isEqualTo(404);
        assertThat(http.get("/api/runs/not-a-run").status()).isEqualTo(400);
    }
}
