package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.http.TestApi.Response;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepStatus;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What keeps other web pages out of the API: loopback host names without a token, a JSON content type and a
 * same-origin {@code Origin} on the routes that change state.
 */
class BrowserRequestGuardsTest {
    private static final String BATCH = "{\"runs\":[{\"graph\":\"demo\"},{\"graph\":\"demo\"}]}";

    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    private String self() {
        return "http://127.0.0.1:" + api.server.port();
    }

    @Test
    void without_a_token_a_host_that_is_not_loopback_is_421_on_the_api_and_the_dashboard() {
        int port = api.server.port();
        for (String path : List.of("/api/runs", "/api/graphs", "/", "/assets/main.js", "/healthz")) {
            assertThat(RawHttp.status(port, "GET", path, "rebound.attacker.example:" + port))
                    .as(path)
                    .isEqualTo(421);
        }
        assertThat(RawHttp.status(port, "GET", "/api/runs", "127.0.0.1.attacker.example"))
                .isEqualTo(421);
        assertThat(RawHttp.status(port, "GET", "/api/runs", "localhost.attacker.example"))
                .isEqualTo(421);
        assertThat(RawHttp.status(port, "GET", "/api/runs", "192.168.1.20:" + port))
                .isEqualTo(421);
        assertThat(RawHttp.status(port, "GET", "/api/runs", null)).isIn(400, 421);
        assertThat(RawHttp.status(
                        port, "POST", "/api/runs", "rebound.attacker.example", "Content-Type", "application/json"))
                .isEqualTo(421);
        assertThat(api.runCount()).isZero();
    }

    @Test
    void loopback_names_and_addresses_are_served() {
        int port = api.server.port();
        for (String host :
                List.of("localhost:" + port, "LOCALHOST", "127.0.0.1:" + port, "127.1.2.3", "[::1]:" + port)) {
            assertThat(RawHttp.status(port, "GET", "/api/runs", host)).as(host).isEqualTo(200);
        }
    }

    @Test
    void the_job_routes_keep_their_signature_check_whatever_the_host() {
        String id = api.createRun("demo", 1, "{}");
        int port = api.server.port();

        int unsigned = RawHttp.status(port, "POST", "/api/jobs/run-step", "runs.example.com");

        assertThat(unsigned).isEqualTo(401);
        assertThat(api.deliver(id, "plan").status()).isEqualTo(200);
        assertThat(api.stepStatus(id, "plan")).isEqualTo(StepStatus.SUCCEEDED);
    }

    @Test
    void with_a_token_any_host_is_served() {
        try (TestApi open = TestApi.with().token("t0ken").host("127.0.0.1").start()) {
            int port = open.server.port();
            assertThat(RawHttp.status(port, "GET", "/api/runs", "runs.example.com", "Authorization", "Bearer t0ken"))
                    .isEqualTo(200);
            assertThat(RawHttp.status(port, "GET", "/", "runs.example.com")).isEqualTo(200);
        }
    }

    @Test
    void state_changing_routes_need_a_json_content_type() {
        String failed = api.createRun("flaky", 1, "{}");
        api.deliver(failed, "explode");
        String running = api.createRun("demo", 1, "{}");

        for (String type :
                List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
            assertThat(api.post("/api/runs", "{\"graph\":\"demo\"}", "Content-Type", type)
                            .status())
                    .as(type)
                    .isEqualTo(415);
            assertThat(api.post("/api/runs/batch", BATCH, "Content-Type", type).status())
                    .isEqualTo(415);
            assertThat(api.post("/api/runs/" + failed + "/retry", "{}", "Content-Type", type)
                            .status())
                    .isEqualTo(415);
            assertThat(api.post("/api/runs/" + running + "/cancel", "{}", "Content-Type", type)
                            .status())
                    .isEqualTo(415);
        }
        assertThat(api.send(api.request("/api/runs")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"graph\":\"demo\"}")))
                        .errorCode())
                .isEqualTo("unsupported_media_type");
        assertThat(api.runCount()).isEqualTo(2);
        assertThat(api.run(failed).run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(api.run(running).run().status()).isEqualTo(RunStatus.QUEUED);

        Response typed =
                api.post("/api/runs", "{\"graph\":\"demo\"}", "Content-Type", "Application/JSON; charset=utf-8");
        assertThat(typed.status()).isEqualTo(201);
    }

    @Test
    void another_origin_is_403_and_changes_nothing() {
        String failed = api.createRun("flaky", 1, "{}");
        api.deliver(failed, "explode");
        String running = api.createRun("demo", 1, "{}");

        for (String origin : List.of(
                "http://attacker.example", "null", "http://127.0.0.1:1", "http://localhost:" + api.server.port())) {
            assertThat(api.post("/api/runs", "{\"graph\":\"demo\"}", "Origin", origin)
                            .status())
                    .as(origin)
                    .isEqualTo(403);
            assertThat(api.post("/api/runs/batch", BATCH, "Origin", origin).status())
                    .isEqualTo(403);
            Response retry = api.post("/api/runs/" + failed + "/retry", "{}", "Origin", origin);
            assertThat(retry.status()).isEqualTo(403);
            assertThat(retry.errorCode()).isEqualTo("cross_origin");
            assertThat(api.post("/api/runs/" + running + "/cancel", "{}", "Origin", origin)
                            .status())
                    .isEqualTo(403);
        }
        assertThat(api.runCount()).isEqualTo(2);
        assertThat(api.run(failed).run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(api.run(running).run().status()).isEqualTo(RunStatus.QUEUED);

        assertThat(api.post("/api/runs/" + failed + "/retry", "{}", "Origin", self())
                        .status())
                .isEqualTo(202);
        assertThat(api.post("/api/runs/" + running + "/cancel", "{}").status()).isEqualTo(202);
    }

    @Test
    void a_trusted_origin_is_accepted_besides_the_servers_own() {
        try (RunsHttpServer server = RunsHttpServer.builder()
                .operations(api.engine)
                .trustedOrigin("https://runs.example.com")
                .port(0)
                .build()
                .start()) {
            int port = server.port();
            assertThat(createFrom(port, "https://runs.example.com")).isEqualTo(400);
            assertThat(createFrom(port, "https://other.example.com")).isEqualTo(403);
        }
    }

    /** An empty POST to create a run, from a page of {@code origin}: 400 once past the guards. */
    private static int createFrom(int port, String origin) {
        return RawHttp.status(
                port, "POST", "/api/runs", "127.0.0.1:" + port, "Content-Type", "application/json", "Origin", origin);
    }
}
