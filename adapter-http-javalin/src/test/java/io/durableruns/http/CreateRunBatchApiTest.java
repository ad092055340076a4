package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.http.TestApi.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CreateRunBatchApiTest {
    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    private Response batch(String body, String... headers) {
        return api.post("/api/runs/batch", body, headers);
    }

    private static String message(Response r) {
        return r.json().path("error").path("message").asText();
    }

    @Test
    void a_batch_creates_its_runs_and_answers_201_with_them_in_order() {
        Response r = batch("{\"runs\":["
                + "{\"graph\":\"demo\",\"version\":1,\"input\":{\"topic\":\"a\"}},"
                + "{\"graph\":\"demo\",\"input\":{\"topic\":\"b\"},\"idempotencyKey\":\"req-b\"},"
                + "{\"graph\":\"flaky\"}]}");

        assertThat(r.status()).isEqualTo(201);
        JsonNode runs = r.json().path("runs");
        assertThat(runs).hasSize(3);
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : runs) {
            assertThat(entry.path("created").asBoolean()).isTrue();
            assertThat(entry.path("run").path("status").asText()).isEqualTo("QUEUED");
            ids.add(entry.path("run").path("id").asText());
        }
        assertThat(ids).doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).startsWith("run_"));
        assertThat(runs.get(0).path("run").path("version").asInt()).isEqualTo(1);
        assertThat(runs.get(1).path("run").path("version").asInt()).isEqualTo(2);
        assertThat(runs.get(1).path("run").path("input").path("topic").asText()).isEqualTo("b");
        assertThat(runs.get(2).path("run").path("graph").asText()).isEqualTo("flaky");
        assertThat(runs.get(0).path("run").path("steps")).hasSize(2);
        assertThat(api.runCount()).isEqualTo(3);
        for (String id : ids) {
            assertThat(api.get("/api/runs/" + id).status()).isEqualTo(200);
        }

        Response again = batch(
                "{\"runs\":[{\"graph\":\"demo\",\"input\":{\"topic\":\"b\"},\"idempotencyKey\":" + "\"req-b\"}]}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("runs").get(0).path("created").asBoolean()).isFalse();
        assertThat(again.json().path("runs").get(0).path("run").path("id").asText())
                .isEqualTo(ids.get(1));
        assertThat(api.runCount()).isEqualTo(3);
    }

    /** Posts the batch, expects a 400 {@code invalid_request}, and returns its message. */
    private String refused(String body) {
        Response r = batch(body);
        assertThat(r.status()).as(body).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_request");
        return message(r);
    }

    @Test
    void a_bad_run_is_400_naming_its_index_and_nothing_is_created() {
        assertThat(refused("{\"runs\":[{\"graph\":\"demo\"},{\"input\":{}}]}"))
                .startsWith("runs[1]: 'graph' is required");
        assertThat(refused("{\"runs\":[{\"graph\":\"demo\",\"inptu\":{}}]}"))
                .startsWith("runs[0]: Unknown field 'inptu'");
        assertThat(refused("{\"runs\":[{\"graph\":\"demo\"},{\"graph\":\"demo\",\"idempotencyKey\":7}]}"))
                .isEqualTo("runs[1]: 'idempotencyKey' must be a string");
        assertThat(refused("{\"runs\":[{\"graph\":\"demo\",\"idempotencyKey\":\" \"}]}"))
                .startsWith("runs[0]: the idempotency key must be");
        assertThat(refused("{\"runs\":[{\"graph\":\"demo\"},{\"graph\":\"demo\"},{\"graph\":\"Demo Graph\"}]}"))
                .startsWith("runs[2]: 'graph' must match");
        assertThat(refused("{\"runs\":[{\"graph\":\"demo\",\"input\":{\"x\":1e400}}]}"))
                .startsWith("runs[0]: ")
                .contains("/x");
        assertThat(refused("{\"runs\":[{\"graph\":\"demo\"},\"demo\"]}"))
                .startsWith("runs[1]: A run must be a JSON object");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void an_unknown_graph_is_404_and_nothing_is_created() {
        Response r = batch("{\"runs\":[{\"graph\":\"demo\"},{\"graph\":\"nope\"}]}");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("graph_not_found");
        assertThat(message(r)).contains("nope");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void a_key_used_for_another_request_is_409_and_nothing_of_the_batch_is_created() {
        api.post("/api/runs", "{\"graph\":\"demo\",\"input\":{\"topic\":\"a\"}}", "Idempotency-Key", "req-1");

        Response r = batch("{\"runs\":[{\"graph\":\"demo\",\"input\":{\"topic\":\"new\"}},"
                + "{\"graph\":\"demo\",\"input\":{\"topic\":\"b\"},\"idempotencyKey\":\"req-1\"}]}");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("idempotency_conflict");
        assertThat(message(r)).contains("req-1");
        assertThat(api.runCount()).isEqualTo(1);
    }

    @Test
    void the_batch_itself_must_be_one_array_of_1_to_1000_runs() {
        StringBuilder tooMany = new StringBuilder("{\"runs\":[");
        for (int i = 0; i < 1001; i++) {
            tooMany.append(i == 0 ? "" : ",").append("{\"graph\":\"demo\"}");
        }
        tooMany.append("]}");
        for (String body : List.of(
                "{\"runs\":[]}",
                "{\"runs\":{\"graph\":\"demo\"}}",
                "{\"runs\":[{\"graph\":\"demo\"}],\"graph\":\"demo\"}",
                "{\"graph\":\"demo\"}",
                "[{\"graph\":\"demo\"}]",
                tooMany.toString())) {
            refused(body);
        }
        assertThat(message(batch("{\"runs\":[]}"))).isEqualTo("'runs' must be an array of 1 to 1000 runs to create");
        assertThat(batch("{\"runs\":[").errorCode()).isEqualTo("invalid_json");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void an_idempotency_key_header_is_refused_since_each_run_names_its_own() {
        Response r = batch("{\"runs\":[{\"graph\":\"demo\"}]}", "Idempotency-Key", "req-1");

        assertThat(r.status()).isEqualTo(400);
        assertThat(message(r)).contains("'idempotencyKey'");
        assertThat(api.runCount()).isZero();
    }
}
