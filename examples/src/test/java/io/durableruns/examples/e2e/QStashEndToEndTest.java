package io.durableruns.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.examples.graphs.ResearchGraph;
import io.durableruns.examples.server.RunsServer;
import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunFilter;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.qstash.QStashEmulator;
import io.durableruns.qstash.QStashSigner;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server in QStash mode against the local QStash emulator, which delivers every message
 * twice, in random order, and fails 10% of publishes: the research graph still runs every handler once per
 * attempt and writes one spec per run.
 */
class QStashEndToEndTest {
    @TempDir
    Path dir;

    private QStashEmulator emulator;
    private RunsServer server;
    private String postgresUrl;
    private final Map<String, AtomicInteger> handlerCalls = new ConcurrentHashMap<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (emulator != null) {
            emulator.close();
        }
        if (postgresUrl != null) {
            TestPostgres.dropSchemaOf(postgresUrl);
        }
    }

    /** The demo research graph with every handler counting its calls per (run, step, attempt). */
    private GraphRegistry countingResearch() {
        StepGraph demo = ResearchGraph.create();
        StepGraph.Builder b = StepGraph.builder(demo.name(), demo.version());
        for (StepDefinition d : demo.steps()) {
            b.step(StepDefinition.named(d.name())
                    .dependsOn(d.dependsOn())
                    .retry(d.retry())
                    .timeout(d.timeout())
                    .handler(ctx -> {
                        handlerCalls
                                .computeIfAbsent(
                                        ctx.runId() + "/" + ctx.stepName() + "/" + ctx.attempt(),
                                        k -> new AtomicInteger())
                                .incrementAndGet();
                        return d.handler().handle(ctx);
                    }));
        }
        StepGraph counting = b.build();
        assertThat(counting.fingerprint()).isEqualTo(demo.fingerprint());
        return new GraphRegistry().register(counting);
    }

    private void start(String databaseUrl, boolean faults) throws IOException {
        QStashEmulator.Builder eb = QStashEmulator.newBuilder().port(0).seed(11);
        if (faults) {
            eb.duplicateDeliveries(true).randomOrder(true).failPublishFraction(0.1);
        }
        emulator = eb.start();
        int port = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("DATABASE_URL", databaseUrl);
        env.put("QSTASH_URL", emulator.url().toString());
        env.put("QSTASH_TOKEN", emulator.token());
        env.put("QSTASH_CURRENT_SIGNING_KEY", emulator.currentSigningKey());
        env.put("QSTASH_NEXT_SIGNING_KEY", emulator.nextSigningKey());
        env.put("RUNS_PUBLIC_URL", "http://127.0.0.1:" + port);
        server = RunsServer.start(env, countingResearch(), b -> {});
    }

    @Test
    void a_hundred_research_runs_complete_through_a_faulty_qstash_with_one_spec_each() throws Exception {
        start("jdbc:sqlite:" + dir.resolve("runs.db"), true);
        Http http = new Http(server.port());
        int runs = 100;
        for (int i = 0; i < runs; i++) {
            String input = i % 10 == 0
                    ? "{\"topic\":\"t" + i + "\",\"failTimes\":{\"synthesize\":1}}"
                    : "{\"topic\":\"t" + i + "\"}";
            assertThat(http.post("/api/runs", "{\"graph\":\"research\",\"input\":" + input + "}")
                            .status())
                    .isEqualTo(201);
        }
        RunEngine engine = server.engine();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (engine.list(new RunListQuery(new RunFilter(RunStatus.SUCCEEDED, null), 500, null))
                        .runs()
                        .size()
                < runs) {
            assertThat(System.nanoTime()).as("all runs succeed within 120 s").isLessThan(deadline);
            assertThat(engine.list(new RunListQuery(new RunFilter(RunStatus.FAILED, null), 500, null))
                            .runs())
                    .isEmpty();
            Thread.sleep(200);
        }
        List<RunRecord> all =
                engine.list(new RunListQuery(RunFilter.any(), 500, null)).runs();
        assertThat(all).hasSize(runs).allSatisfy(r -> assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED));
        for (RunRecord r : all) {
            assertThat(engine.artifacts(r.id())).singleElement().satisfies(a -> assertThat(a.key())
                    .isEqualTo("spec.md"));
            if (r.input().path("failTimes").has("synthesize")) {
                List<EventType> types = engine.timeline(r.id()).stream()
                        .map(TimelineEvent::type)
                        .toList();
                assertThat(types)
                        .containsSubsequence(
                                EventType.STEP_FAILED,
                                EventType.STEP_RETRY_SCHEDULED,
                                EventType.STEP_STARTED,
                                EventType.STEP_SUCCEEDED);
                assertThat(engine.find(r.id())
                                .orElseThrow()
                                .step("synthesize")
                                .orElseThrow()
                                .attempt())
                        .isEqualTo(2);
            }
        }
        assertThat(handlerCalls)
                .allSatisfy((key, calls) -> assertThat(calls.get()).as(key).isEqualTo(1));
        assertThat(handlerCalls).hasSize(runs * 5 + runs / 10);
        QStashEmulator.Stats stats = emulator.stats();
        assertThat(stats.failedPublishes()).as("publishes failed on purpose").isPositive();
        assertThat(stats.deliveries()).as("every message delivered twice").isGreaterThanOrEqualTo(2L * runs * 5);
    }

    @Test
    void unsigned_forged_and_expired_deliveries_are_refused_and_a_signed_redelivery_changes_nothing() throws Exception {
        postgresUrl = TestPostgres.freshSchemaUrl("qstash");
        start(postgresUrl, false);
        Http http = new Http(server.port());
        String id = http.post("/api/runs", "{\"graph\":\"research\",\"input\":{\"topic\":\"signed\"}}")
                .json()
                .path("id")
                .asText();
        http.await("/api/runs/" + id, r -> r.path("status").asText().equals("SUCCEEDED"), Duration.ofSeconds(30));
        int events =
                http.get("/api/runs/" + id + "/timeline").json().path("events").size();
        byte[] body = ("{\"runId\":\"" + id + "\",\"step\":\"plan\"}").getBytes(StandardCharsets.UTF_8);
        String stepUrl = "http://127.0.0.1:" + server.port() + "/api/jobs/run-step";

        assertThat(http.post("/api/jobs/run-step", new String(body, StandardCharsets.UTF_8))
                        .status())
                .isEqualTo(401);
        String forged = new QStashSigner("sig_forgedforgedforgedforgedforg").sign(stepUrl, body);
        assertThat(http.post(
                                "/api/jobs/run-step",
                                new String(body, StandardCharsets.UTF_8),
                                "Upstash-Signature",
                                forged)
                        .status())
                .isEqualTo(401);
        String wrongBody =
                new QStashSigner(emulator.currentSigningKey()).sign(stepUrl, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(http.post(
                                "/api/jobs/run-step",
                                new String(body, StandardCharsets.UTF_8),
                                "Upstash-Signature",
                                wrongBody)
                        .status())
                .isEqualTo(401);
        String expired = new QStashSigner(emulator.currentSigningKey())
                .sign(stepUrl, body, java.time.Instant.now().minus(Duration.ofMinutes(10)));
        assertThat(http.post(
                                "/api/jobs/run-step",
                                new String(body, StandardCharsets.UTF_8),
                                "Upstash-Signature",
                                expired)
                        .status())
                .isEqualTo(401);

        String signed = new QStashSigner(emulator.currentSigningKey()).sign(stepUrl, body);
        Http.Answer redelivery =
                http.post("/api/jobs/run-step", new String(body, StandardCharsets.UTF_8), "Upstash-Signature", signed);
        assertThat(redelivery.status()).isEqualTo(200);
        assertThat(redelivery.json().path("outcome").asText()).isEqualTo("duplicate");
        assertThat(http.get("/api/runs/" + id + "/timeline").json().path("events"))
                .hasSize(events);
        assertThat(handlerCalls.keySet())
                .filteredOn(k -> k.startsWith(id + "/plan/"))
                .containsExactly(id + "/plan/1");
        assertThat(http.get("/metrics").body()).contains("durableruns_signature_rejections_total");
    }

    @Test
    void a_correctly_signed_delivery_runs_a_ready_step() throws Exception {
        start("jdbc:sqlite:" + dir.resolve("runs.db"), false);
        emulator.close();
        Http http = new Http(server.port());
        String id = http.post("/api/runs", "{\"graph\":\"research\",\"input\":{\"topic\":\"by hand\"}}")
                .json()
                .path("id")
                .asText();
        byte[] body = ("{\"runId\":\"" + id + "\",\"step\":\"plan\"}").getBytes(StandardCharsets.UTF_8);
        String stepUrl = "http://127.0.0.1:" + server.port() + "/api/jobs/run-step";
        String signed = new QStashSigner(QStashEmulator.DEV_NEXT_SIGNING_KEY).sign(stepUrl, body);
        Http.Answer answer =
                http.post("/api/jobs/run-step", new String(body, StandardCharsets.UTF_8), "Upstash-Signature", signed);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("outcome").asText()).isEqualTo("done");
        JsonNode run = http.get("/api/runs/" + id).json();
        assertThat(run.path("steps").get(0).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(handlerCalls).containsOnlyKeys(id + "/plan/1");
    }

    @Test
    void a_failure_callback_counts_the_attempt_it_names_and_is_checked_against_the_callback_url() throws Exception {
        start("jdbc:sqlite:" + dir.resolve("runs.db"), false);
        emulator.close();
        Http http = new Http(server.port());
        String id = http.post("/api/runs", "{\"graph\":\"research\",\"input\":{}}")
                .json()
                .path("id")
                .asText();
        String source =
                "{\"runId\":\"" + id + "\",\"step\":\"plan\",\"attempt\":1,\"graph\":\"research\",\"version\":1}";
        String callback = "{\"status\":503,\"header\":{},\"body\":\"\",\"retried\":2,\"maxRetries\":2,"
                + "\"dlqId\":\"dlq_1\",\"sourceMessageId\":\"msg_1\",\"url\":\"http://127.0.0.1:" + server.port()
                + "/api/jobs/run-step\",\"method\":\"POST\",\"sourceHeader\":{},\"sourceBody\":\""
                + java.util.Base64.getEncoder().encodeToString(source.getBytes(StandardCharsets.UTF_8)) + "\"}";
        byte[] body = callback.getBytes(StandardCharsets.UTF_8);
        String base = "http://127.0.0.1:" + server.port();
        QStashSigner signer = new QStashSigner(QStashEmulator.DEV_CURRENT_SIGNING_KEY);

        String signedForStepUrl = signer.sign(base + "/api/jobs/run-step", body);
        assertThat(http.post("/api/jobs/step-failed", callback, "Upstash-Signature", signedForStepUrl)
                        .status())
                .isEqualTo(401);
        assertThat(http.get("/api/runs/" + id).json().path("status").asText()).isEqualTo("QUEUED");

        String signed = signer.sign(base + "/api/jobs/step-failed", body);
        Http.Answer answer = http.post("/api/jobs/step-failed", callback, "Upstash-Signature", signed);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("outcome").asText()).isEqualTo("retry");
        JsonNode run = http.get("/api/runs/" + id).json();
        assertThat(run.path("status").asText())
                .as("a run with attempts left does not fail")
                .isEqualTo("QUEUED");
        assertThat(run.path("steps").get(0).path("status").asText()).isEqualTo("RETRYING");
        assertThat(run.path("steps").get(0).path("error").path("type").asText()).isEqualTo("DeliveryFailed");
        Http.Answer again = http.post("/api/jobs/step-failed", callback, "Upstash-Signature", signed);
        assertThat(again.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(http.get("/api/runs/" + id)
                        .json()
                        .path("steps")
                        .get(0)
                        .path("attempt")
                        .asInt())
                .isEqualTo(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
