package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.durableruns.http.TestApi.Response;
import io.durableruns.ports.StoreException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OpsAndErrorsApiTest {
    private final AtomicReference<FailingOperations> failing = new AtomicReference<>();
    private final TestApi api = TestApi.with()
            .operations(ops -> {
                FailingOperations f = new FailingOperations(ops);
                failing.set(f);
                return f;
            })
            .start();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void healthz_answers_200_ok() {
        Response r = api.get("/healthz");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("ok");
    }

    @Test
    void readyz_follows_the_readiness_check() {
        Response ready = api.get("/readyz");
        api.ready.set(false);
        Response notReady = api.get("/readyz");

        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("status").asText()).isEqualTo("ready");
        assertThat(notReady.status()).isEqualTo(503);
        assertThat(notReady.json().path("status").asText()).isEqualTo("not_ready");
    }

    @Test
    void readyz_is_503_when_the_check_throws() {
        try (RunsHttpServer server = RunsHttpServer.builder()
                .operations(api.engine)
                .port(0)
                .readiness(() -> {
                    throw new IllegalStateException("database unreachable");
                })
                .build()
                .start()) {
            Response r = api.send(
                    HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + "/readyz")));

            assertThat(r.status()).isEqualTo(503);
            assertThat(r.text()).doesNotContain("unreachable");
        }
    }

    @Test
    void metrics_show_runs_steps_retries_deliveries_queue_depth_and_signature_rejections() {
        String demo = api.createRun("demo", 2, "{}");
        api.deliver(demo, "plan");
        api.deliver(demo, "plan");
        String flaky = api.createRun("flaky", "{}");
        api.deliver(flaky, "explode");
        String wobbly = api.createRun("wobbly", "{}");
        api.deliver(wobbly, "wobble");
        api.post("/api/jobs/run-step", "{}");
        api.post("/api/jobs/run-step", "{}", "Upstash-Signature", "forged");

        Response r = api.get("/metrics");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.text())
                .contains("durableruns_created_runs_total{graph=\"demo\"} 1.0")
                .contains("durableruns_finished_runs_total{graph=\"demo\",status=\"succeeded\"} 1.0")
                .contains("durableruns_finished_runs_total{graph=\"flaky\",status=\"failed\"} 1.0")
                .contains(
                        "durableruns_step_duration_seconds_bucket{graph=\"demo\",outcome=\"done\",step=\"plan\",le=\"0.01\"} 1")
                .contains(
                        "durableruns_step_duration_seconds_count{graph=\"wobbly\",outcome=\"retry\",step=\"wobble\"} 1")
                .contains("durableruns_step_retries_total{graph=\"wobbly\",step=\"wobble\"} 1.0")
                .contains("durableruns_deliveries_total{outcome=\"done\"} 1.0")
                .contains("durableruns_deliveries_total{outcome=\"duplicate\"} 1.0")
                .contains("durableruns_deliveries_total{outcome=\"failed\"} 1.0")
                .contains("durableruns_queue_depth 7.0")
                .contains("durableruns_signature_rejections_total{reason=\"missing_signature\"} 1.0")
                .contains("durableruns_signature_rejections_total{reason=\"body_hash_mismatch\"} 1.0");
    }

    @Test
    void the_queue_depth_gauge_reads_the_supplier_at_each_scrape() {
        api.queueDepth.set(42);

        assertThat(api.metricsLine("durableruns_queue_depth ")).hasValue("durableruns_queue_depth 42.0");
    }

    @Test
    void an_unknown_route_is_404_in_the_json_error_shape() {
        for (String path :
                new String[] {"/nope", "/api", "/api/runs/run_00000000000000000000000000/nope", "/api/jobs/other"}) {
            Response r = api.get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.errorCode()).as(path).isEqualTo("not_found");
            assertThat(r.header("Content-Type")).startsWith("application/json");
        }
    }

    @Test
    void an_unsupported_method_on_a_known_path_is_404_in_the_json_error_shape() {
        Response r = api.send(api.request("/api/runs").DELETE());

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("not_found");
        assertThat(api.get("/api/jobs/run-step").status()).isEqualTo(404);
    }

    @Test
    void an_unexpected_exception_is_500_without_details_and_logged_with_the_run_id() {
        String id = api.createRun("demo", "{}");
        failing.get().failWith(new IllegalStateException("password=hunter2"));
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(ExceptionResponses.class);
        logger.addAppender(log);
        try {
            Response r = api.get("/api/runs/" + id + "/timeline");

            assertThat(r.status()).isEqualTo(500);
            assertThat(r.errorCode()).isEqualTo("internal");
            assertThat(r.text())
                    .doesNotContain("hunter2")
                    .doesNotContain("IllegalStateException")
                    .doesNotContain("\tat ");
            assertThat(log.list).anySatisfy(e -> {
                assertThat(e.getFormattedMessage()).contains(id);
                assertThat(e.getThrowableProxy().getMessage()).contains("hunter2");
            });
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void an_unexpected_exception_during_a_delivery_is_logged_with_the_run_id_from_the_body() {
        String id = api.createRun("demo", "{}");
        failing.get().failWith(new IllegalStateException("kaput"));
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(ExceptionResponses.class);
        logger.addAppender(log);
        try {
            Response r = api.deliver(id, "plan");

            assertThat(r.status()).isEqualTo(500);
            assertThat(log.list)
                    .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(id));
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void a_store_failure_is_503_without_the_driver_message() {
        failing.get().failWith(new StoreException("could not insert run", new SQLException("FATAL: password")));

        Response r = api.post("/api/runs", "{\"graph\":\"demo\"}");

        assertThat(r.status()).isEqualTo(503);
        assertThat(r.errorCode()).isEqualTo("store_unavailable");
        assertThat(r.text()).doesNotContain("password").doesNotContain("insert");
    }

    @Test
    void a_request_refused_before_routing_is_answered_in_the_json_error_shape() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.getOutputStream()
                    .write("GET /%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 400");
            assertThat(answer)
                    .contains("application/json")
                    .contains("{\"error\":{\"code\":\"bad_request\"")
                    .doesNotContain("<html");
        }
    }

    @Test
    void responses_are_not_cached_and_not_sniffed() {
        Response r = api.get("/api/runs");

        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }
}
