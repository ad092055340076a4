package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.http.TestApi.Response;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CreateRunApiTest {
    private TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void creating_a_run_answers_201_with_its_location_and_the_run() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\",\"version\":1,\"input\":{\"topic\":\"durability\"}}");

        assertThat(r.status()).isEqualTo(201);
        JsonNode run = r.json();
        String id = run.path("id").asText();
        assertThat(id).startsWith("run_");
        assertThat(r.header("Location")).isEqualTo("/api/runs/" + id);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(run.path("graph").asText()).isEqualTo("demo");
        assertThat(run.path("version").asInt()).isEqualTo(1);
        assertThat(run.path("status").asText()).isEqualTo("QUEUED");
        assertThat(run.path("input").path("topic").asText()).isEqualTo("durability");
        assertThat(run.path("output").isNull()).isTrue();
        assertThat(run.path("createdAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(run.path("finishedAt").isNull()).isTrue();
        assertThat(run.path("steps")).hasSize(2);
        assertThat(run.path("steps").get(0).path("name").asText()).isEqualTo("plan");
        assertThat(run.path("steps").get(0).path("status").asText()).isEqualTo("QUEUED");
        assertThat(run.path("steps").get(1).path("dependsOn").get(0).asText()).isEqualTo("plan");
        assertThat(api.runCount()).isEqualTo(1);
    }

    @Test
    void version_defaults_to_the_newest_registered() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\",\"input\":{}}");

        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("version").asInt()).isEqualTo(2);
    }

    @Test
    void input_may_be_omitted_and_becomes_an_empty_object() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\"}");

        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("input").isObject()).isTrue();
        assertThat(r.json().path("input")).isEmpty();
    }

    @Test
    void repeating_a_request_with_the_same_idempotency_key_answers_200_with_the_same_run() {
        String body = "{\"graph\":\"demo\",\"version\":1,\"input\":{\"topic\":\"a\"}}";
        Response first = api.post("/api/runs", body, "Idempotency-Key", "req-1");
        Response again = api.post("/api/runs", body, "Idempotency-Key", "req-1");

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("id").asText())
                .isEqualTo(first.json().path("id").asText());
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(api.runCount()).isEqualTo(1);
    }

    @Test
    void the_same_idempotency_key_with_another_body_is_409_and_stores_nothing() {
        api.post("/api/runs", "{\"graph\":\"demo\",\"input\":{\"topic\":\"a\"}}", "Idempotency-Key", "req-1");

        Response r =
                api.post("/api/runs", "{\"graph\":\"demo\",\"input\":{\"topic\":\"b\"}}", "Idempotency-Key", "req-1");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("idempotency_conflict");
        assertThat(r.json().path("error").path("message").asText()).contains("req-1");
        assertThat(api.runCount()).isEqualTo(1);
    }

    @Test
    void a_blank_idempotency_key_is_400_and_stores_nothing() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\"}", "Idempotency-Key", " ");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_request");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void an_unknown_graph_is_404_and_stores_nothing() {
        Response r = api.post("/api/runs", "{\"graph\":\"nope\",\"input\":{}}");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("graph_not_found");
        assertThat(r.json().path("error").path("message").asText()).contains("nope");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void an_unknown_version_is_404_and_stores_nothing() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\",\"version\":9,\"input\":{}}");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("graph_not_found");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void malformed_json_is_400_and_stores_nothing() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\",");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_json");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void trailing_content_after_the_json_object_is_400() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\"} {\"graph\":\"demo\"}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_json");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void an_empty_body_is_400() {
        Response r = api.post("/api/runs", "");

        assertThat(r.status()).isEqualTo(400);
        assertThat(api.runCount()).isZero();
    }

    @Test
    void a_missing_graph_is_400_and_stores_nothing() {
        Response r = api.post("/api/runs", "{\"input\":{}}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_request");
        assertThat(r.json().path("error").path("message").asText()).contains("'graph' is required");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void a_body_that_is_not_an_object_is_400() {
        assertThat(api.post("/api/runs", "[\"demo\"]").status()).isEqualTo(400);
        assertThat(api.post("/api/runs", "\"demo\"").status()).isEqualTo(400);
        assertThat(api.runCount()).isZero();
    }

    @Test
    void an_unknown_field_is_400_so_that_typos_do_not_start_runs_with_empty_input() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\",\"inptu\":{\"topic\":\"a\"}}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("error").path("message").asText()).contains("inptu");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void a_graph_name_or_version_of_the_wrong_shape_is_400() {
        assertThat(api.post("/api/runs", "{\"graph\":7}").status()).isEqualTo(400);
        assertThat(api.post("/api/runs", "{\"graph\":\"Demo Graph\"}").status()).isEqualTo(400);
        assertThat(api.post("/api/runs", "{\"graph\":\"demo\",\"version\":\"1\"}")
                        .status())
                .isEqualTo(400);
        assertThat(api.post("/api/runs", "{\"graph\":\"demo\",\"version\":1.5}").status())
                .isEqualTo(400);
        assertThat(api.post("/api/runs", "{\"graph\":\"demo\",\"version\":0}").status())
                .isEqualTo(400);
        assertThat(api.runCount()).isZero();
    }

    @Test
    void a_number_too_large_for_a_double_is_400_and_stores_nothing() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\",\"input\":{\"x\":1e400}}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_request");
        assertThat(r.json().path("error").path("message").asText()).contains("not finite or too large", "/x");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void a_duplicate_field_is_400() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\",\"graph\":\"flaky\"}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(api.runCount()).isZero();
    }

    @Test
    void a_body_over_the_default_limit_of_one_mebibyte_is_413_and_stores_nothing() {
        String padding = "x".repeat(RunsHttpServer.DEFAULT_BODY_LIMIT);
        Response r = api.post("/api/runs", "{\"graph\":\"demo\",\"input\":{\"pad\":\"" + padding + "\"}}");

        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errorCode()).isEqualTo("payload_too_large");
        assertThat(api.runCount()).isZero();
    }

    /**
     * A refused body must not cost the client its answer: a server that answers 413 from the declared length and
     * closes with the body unread resets the connection, and the client can lose the 413 with it.
     */
    @Test
    void a_client_that_sends_an_oversized_body_reads_the_413_every_time_and_the_connection_stays_usable() {
        String oversized = "{\"graph\":\"demo\",\"input\":{\"pad\":\""
                + "x".repeat(RunsHttpServer.DEFAULT_BODY_LIMIT + 100_000) + "\"}}";
        for (int i = 0; i < 30; i++) {
            Response refused = api.post("/api/runs", oversized);
            assertThat(refused.status()).as("answer %d", i).isEqualTo(413);
            assertThat(api.post("/api/runs", "{\"graph\":\"demo\"}").status())
                    .as("the request after answer %d", i)
                    .isEqualTo(201);
        }
        assertThat(api.runCount()).isEqualTo(30);
    }

    @Test
    void the_body_limit_is_configurable_and_a_body_of_exactly_the_limit_is_accepted() {
        api.close();
        api = TestApi.with().bodyLimit(100).start();
        String exact = "{\"graph\":\"demo\",\"input\":{\"pad\":\"" + "x".repeat(100 - 35) + "\"}}";
        assertThat(exact.getBytes(StandardCharsets.UTF_8)).hasSize(100);

        Response accepted = api.post("/api/runs", exact);
        Response refused = api.post("/api/runs", exact.replace("\"}}", "x\"}}"));

        assertThat(accepted.status()).isEqualTo(201);
        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.json().path("error").path("message").asText()).contains("100 bytes");
        assertThat(api.runCount()).isEqualTo(1);
    }

    @Test
    void a_form_encoded_body_such_as_plain_curl_sends_is_415_and_stores_nothing() {
        Response r = api.post("/api/runs", "{\"graph\":\"demo\"}", "Content-Type", "application/x-www-form-urlencoded");

        assertThat(r.status()).isEqualTo(415);
        assertThat(r.errorCode()).isEqualTo("unsupported_media_type");
        assertThat(api.runCount()).isZero();
    }
}
