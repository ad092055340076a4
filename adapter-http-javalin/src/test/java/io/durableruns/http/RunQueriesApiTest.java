package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.http.TestApi.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunQueriesApiTest {
    private static final String MISSING = "run_00000000000000000000000000";

    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    private String finishedDemoRun() {
        String id = api.createRun("demo", 1, "{\"topic\":\"fencing\"}");
        assertThat(api.deliver(id, "plan").status()).isEqualTo(200);
        assertThat(api.deliver(id, "write").status()).isEqualTo(200);
        return id;
    }

    @Test
    void a_run_shows_its_status_output_times_and_steps() {
        String id = finishedDemoRun();

        Response r = api.get("/api/runs/" + id);

        assertThat(r.status()).isEqualTo(200);
        JsonNode run = r.json();
        assertThat(run.path("id").asText()).isEqualTo(id);
        assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.path("output").isObject()).isTrue();
        assertThat(run.path("updatedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(run.path("finishedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        JsonNode write = run.path("steps").get(1);
        assertThat(write.path("name").asText()).isEqualTo("write");
        assertThat(write.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(write.path("attempt").asInt()).isEqualTo(1);
        assertThat(write.path("dependsOn").get(0).asText()).isEqualTo("plan");
        assertThat(write.path("startedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(write.path("finishedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(write.path("output").path("words").asInt()).isEqualTo(2);
        assertThat(write.has("error")).isTrue();
        assertThat(write.path("error").isNull()).isTrue();
    }

    @Test
    void a_failed_step_shows_its_error_type_message_and_stack_trace() {
        String id = api.createRun("flaky", "{}");
        api.deliver(id, "explode");

        JsonNode step = api.get("/api/runs/" + id).json().path("steps").get(0);

        assertThat(step.path("status").asText()).isEqualTo("FAILED");
        assertThat(step.path("error").path("type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(step.path("error").path("message").asText()).isEqualTo("boom");
        assertThat(step.path("error").path("stackTrace").asText()).contains("IllegalStateException");
    }

    @Test
    void an_unknown_run_is_404() {
        for (String suffix : List.of("", "/timeline", "/artifacts", "/tool-calls")) {
            Response r = api.get("/api/runs/" + MISSING + suffix);
            assertThat(r.status()).as(suffix).isEqualTo(404);
            assertThat(r.errorCode()).as(suffix).isEqualTo("run_not_found");
        }
    }

    @Test
    void a_malformed_run_id_is_400_on_every_run_route() {
        for (String path : List.of(
                "/api/runs/abc",
                "/api/runs/RUN_00000000000000000000000000",
                "/api/runs/run_0000000000000000000000000u/timeline",
                "/api/runs/abc/artifacts",
                "/api/runs/abc/artifacts/plan/spec.md",
                "/api/runs/abc/tool-calls")) {
            Response r = api.get(path);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.errorCode()).as(path).isEqualTo("invalid_id");
        }
        assertThat(api.post("/api/runs/abc/retry", "").status()).isEqualTo(400);
        assertThat(api.post("/api/runs/abc/cancel", "").status()).isEqualTo(400);
    }

    @Test
    void the_timeline_lists_events_in_order_with_their_fields() {
        String id = finishedDemoRun();

        Response r = api.get("/api/runs/" + id + "/timeline");

        assertThat(r.status()).isEqualTo(200);
        JsonNode events = r.json().path("events");
        assertThat(events.size()).isGreaterThanOrEqualTo(6);
        List<String> types = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertThat(e.path("seq").asLong()).isEqualTo(i + 1);
            assertThat(e.path("at").asText()).isEqualTo("2026-01-01T00:00:00Z");
            assertThat(e.has("step")).isTrue();
            assertThat(e.has("attempt")).isTrue();
            assertThat(e.path("data").isObject() || e.path("data").isNull()).isTrue();
            types.add(e.path("type").asText());
        }
        assertThat(types.get(0)).isEqualTo("RUN_CREATED");
        assertThat(types).containsSubsequence("STEP_STARTED", "STEP_SUCCEEDED", "RUN_SUCCEEDED");
        JsonNode started = events.get(types.indexOf("STEP_STARTED"));
        assertThat(started.path("step").asText()).isEqualTo("plan");
        assertThat(started.path("attempt").asInt()).isEqualTo(1);
        assertThat(events.get(0).path("step").isNull()).isTrue();
    }

    @Test
    void the_artifact_list_describes_each_artifact_without_its_content() {
        String id = finishedDemoRun();

        Response r = api.get("/api/runs/" + id + "/artifacts");

        assertThat(r.status()).isEqualTo(200);
        JsonNode artifacts = r.json().path("artifacts");
        assertThat(artifacts).hasSize(1);
        JsonNode a = artifacts.get(0);
        assertThat(a.path("step").asText()).isEqualTo("write");
        assertThat(a.path("key").asText()).isEqualTo("spec.md");
        assertThat(a.path("contentType").asText()).isEqualTo("text/markdown; charset=utf-8");
        assertThat(a.path("size").asLong()).isEqualTo("# fencing".length());
        assertThat(a.path("createdAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(a.has("content")).isFalse();
    }

    @Test
    void an_artifact_is_served_with_its_own_content_type() {
        String id = finishedDemoRun();

        Response r = api.get("/api/runs/" + id + "/artifacts/write/spec.md");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("# fencing");
        assertThat(r.header("Content-Type")).isEqualTo("text/markdown; charset=utf-8");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Content-Security-Policy")).isEqualTo("sandbox");
    }

    @Test
    void a_missing_artifact_is_404() {
        String id = finishedDemoRun();

        Response otherKey = api.get("/api/runs/" + id + "/artifacts/write/other.md");
        Response otherStep = api.get("/api/runs/" + id + "/artifacts/plan/spec.md");
        Response otherRun = api.get("/api/runs/" + MISSING + "/artifacts/write/spec.md");

        assertThat(otherKey.status()).isEqualTo(404);
        assertThat(otherKey.errorCode()).isEqualTo("artifact_not_found");
        assertThat(otherStep.status()).isEqualTo(404);
        assertThat(otherRun.status()).isEqualTo(404);
    }

    @Test
    void a_malformed_step_name_or_artifact_key_is_400() {
        String id = finishedDemoRun();

        Response badStep = api.get("/api/runs/" + id + "/artifacts/Write/spec.md");
        Response badKey = api.get("/api/runs/" + id + "/artifacts/write/.spec.md");
        Response encodedSlash = api.get("/api/runs/" + id + "/artifacts/write/a%20b");

        assertThat(badStep.status()).isEqualTo(400);
        assertThat(badStep.errorCode()).isEqualTo("invalid_id");
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(encodedSlash.status()).isEqualTo(400);
    }

    @Test
    void tool_calls_list_each_call_with_input_output_and_duration() {
        String id = finishedDemoRun();

        Response r = api.get("/api/runs/" + id + "/tool-calls");

        assertThat(r.status()).isEqualTo(200);
        JsonNode calls = r.json().path("toolCalls");
        assertThat(calls).hasSize(1);
        JsonNode c = calls.get(0);
        assertThat(c.path("step").asText()).isEqualTo("write");
        assertThat(c.path("attempt").asInt()).isEqualTo(1);
        assertThat(c.path("tool").asText()).isEqualTo("search");
        assertThat(c.path("input").path("q").asText()).isEqualTo("fencing");
        assertThat(c.path("output").get(0).asText()).isEqualTo("hit-1");
        assertThat(c.path("error").isNull()).isTrue();
        assertThat(c.path("startedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(c.path("durationMs").asLong()).isEqualTo(42);
    }

    @Test
    void the_list_is_newest_first_and_pages_with_a_cursor() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(api.createRun("demo", "{}"));
            api.clock.advance(Duration.ofSeconds(1));
        }

        Response first = api.get("/api/runs?limit=2");
        JsonNode page1 = first.json();
        Response second =
                api.get("/api/runs?limit=2&cursor=" + page1.path("nextCursor").asText());
        JsonNode page2 = second.json();

        assertThat(first.status()).isEqualTo(200);
        assertThat(page1.path("runs")).hasSize(2);
        assertThat(page1.path("runs").get(0).path("id").asText()).isEqualTo(ids.get(2));
        assertThat(page1.path("runs").get(1).path("id").asText()).isEqualTo(ids.get(1));
        assertThat(page1.path("runs").get(0).has("steps")).isFalse();
        assertThat(page1.path("nextCursor").isTextual()).isTrue();
        assertThat(page2.path("runs")).hasSize(1);
        assertThat(page2.path("runs").get(0).path("id").asText()).isEqualTo(ids.get(0));
        assertThat(page2.has("nextCursor")).isTrue();
        assertThat(page2.path("nextCursor").isNull()).isTrue();
    }

    @Test
    void the_list_filters_by_status_and_graph() {
        String demo = api.createRun("demo", "{}");
        String flaky = api.createRun("flaky", "{}");
        api.deliver(flaky, "explode");

        JsonNode failed = api.get("/api/runs?status=FAILED").json().path("runs");
        JsonNode failedLowerCase = api.get("/api/runs?status=failed").json().path("runs");
        JsonNode demos = api.get("/api/runs?graph=demo").json().path("runs");
        JsonNode none = api.get("/api/runs?graph=demo&status=FAILED").json().path("runs");

        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).path("id").asText()).isEqualTo(flaky);
        assertThat(failedLowerCase).hasSize(1);
        assertThat(demos).hasSize(1);
        assertThat(demos.get(0).path("id").asText()).isEqualTo(demo);
        assertThat(none).isEmpty();
    }

    @Test
    void the_list_defaults_to_fifty_runs_a_page() {
        for (int i = 0; i < 51; i++) {
            api.createRun("demo", "{}");
        }

        JsonNode page = api.get("/api/runs").json();

        assertThat(page.path("runs")).hasSize(50);
        assertThat(page.path("nextCursor").isTextual()).isTrue();
        assertThat(api.get("/api/runs?limit=500").json().path("runs")).hasSize(51);
    }

    @Test
    void bad_list_parameters_are_400() {
        for (String query : List.of(
                "limit=0", "limit=501", "limit=ten", "status=DONE", "graph=Not%20A%20Name", "cursor=not-a-cursor")) {
            Response r = api.get("/api/runs?" + query);
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.errorCode()).as(query).isEqualTo("invalid_request");
        }
    }
}
