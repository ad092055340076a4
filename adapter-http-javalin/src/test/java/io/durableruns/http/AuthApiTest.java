package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.http.TestApi.Response;
import io.durableruns.ports.model.StepStatus;
import java.net.http.HttpRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthApiTest {
    private static final String TOKEN = "s3cret-token";
    private static final String SOME_RUN = "run_00000000000000000000000000";

    private final TestApi api = TestApi.with().token(TOKEN).host("127.0.0.1").start();

    @AfterEach
    void stop() {
        api.close();
    }

    private Response anonymous(String method, String path, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(path))
                .method(
                        method,
                        method.equals("GET")
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString("{\"graph\":\"demo\"}"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (method.equals("POST")) {
            b.header("Content-Type", "application/json");
        }
        return api.send(b);
    }

    @Test
    void every_management_route_needs_the_bearer_token() {
        List<String[]> routes = List.of(
                new String[] {"POST", "/api/runs"},
                new String[] {"POST", "/api/runs/batch"},
                new String[] {"GET", "/api/runs"},
                new String[] {"GET", "/api/runs/" + SOME_RUN},
                new String[] {"GET", "/api/runs/" + SOME_RUN + "/timeline"},
                new String[] {"GET", "/api/runs/" + SOME_RUN + "/artifacts"},
                new String[] {"GET", "/api/runs/" + SOME_RUN + "/artifacts/plan/spec.md"},
                new String[] {"GET", "/api/runs/" + SOME_RUN + "/tool-calls"},
                new String[] {"POST", "/api/runs/" + SOME_RUN + "/retry"},
                new String[] {"POST", "/api/runs/" + SOME_RUN + "/cancel"},
                new String[] {"GET", "/api/graphs"},
                new String[] {"GET", "/api/runs/not-an-id"});
        for (String[] route : routes) {
            Response r = anonymous(route[0], route[1], null);
            assertThat(r.status()).as(route[0] + " " + route[1]).isEqualTo(401);
            assertThat(r.errorCode()).isEqualTo("unauthorized");
            assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
        assertThat(api.runCount()).isZero();
    }

    @Test
    void a_wrong_token_or_scheme_is_401_and_stores_nothing() {
        for (String authorization :
                List.of("Bearer wrong", "Bearer " + TOKEN + "x", "Bearer", "Basic " + TOKEN, TOKEN, "Bearer  ")) {
            Response r = anonymous("POST", "/api/runs", authorization);
            assertThat(r.status()).as(authorization).isEqualTo(401);
        }
        assertThat(api.runCount()).isZero();
    }

    @Test
    void the_right_token_is_accepted_whatever_the_case_of_the_scheme() {
        Response created = anonymous("POST", "/api/runs", "Bearer " + TOKEN);
        Response listed = anonymous("GET", "/api/runs", "bearer " + TOKEN);

        assertThat(created.status()).isEqualTo(201);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().path("runs")).hasSize(1);
    }

    @Test
    void health_readiness_and_metrics_are_open() {
        assertThat(anonymous("GET", "/healthz", null).status()).isEqualTo(200);
        assertThat(anonymous("GET", "/readyz", null).status()).isEqualTo(200);
        assertThat(anonymous("GET", "/metrics", null).status()).isEqualTo(200);
    }

    @Test
    void job_routes_use_signatures_instead_of_the_token() {
        String id = api.createRun("demo", 1, "{}");
        String body = "{\"runId\":\"" + id + "\",\"step\":\"plan\"}";

        Response signed = api.send(HttpRequest.newBuilder(api.uri("/api/jobs/run-step"))
                .header("Upstash-Signature", FakeVerifier.sign(body))
                .POST(HttpRequest.BodyPublishers.ofString(body)));

        assertThat(signed.status()).isEqualTo(200);
        assertThat(api.stepStatus(id, "plan")).isEqualTo(StepStatus.SUCCEEDED);
    }

    @Test
    void with_a_token_the_server_binds_the_requested_host() {
        assertThat(api.server.host()).isEqualTo("127.0.0.1");
        try (RunsHttpServer server =
                RunsHttpServer.builder().operations(api.engine).apiToken(TOKEN).build()) {
            assertThat(server.host()).isEqualTo("0.0.0.0");
        }
    }

    @Test
    void without_a_token_the_server_binds_loopback_only_whatever_host_was_asked_for() {
        try (TestApi open = TestApi.with().host("0.0.0.0").start()) {
            assertThat(open.server.host()).isEqualTo("127.0.0.1");
            assertThat(open.get("/api/runs").status()).isEqualTo(200);
        }
        try (RunsHttpServer blank = RunsHttpServer.builder()
                .operations(api.engine)
                .apiToken("  ")
                .host("::")
                .build()) {
            assertThat(blank.host()).isEqualTo("127.0.0.1");
        }
    }
}
