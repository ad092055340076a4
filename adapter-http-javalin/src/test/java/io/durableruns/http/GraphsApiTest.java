package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.http.TestApi.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GraphsApiTest {
    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void every_registered_version_is_listed_by_name_then_version() {
        Response r = api.get("/api/graphs");

        assertThat(r.status()).isEqualTo(200);
        List<String> listed = new ArrayList<>();
        r.json()
                .path("graphs")
                .forEach(g -> listed.add(
                        g.path("name").asText() + " v" + g.path("version").asInt()));
        assertThat(listed).containsExactly("demo v1", "demo v2", "flaky v1", "wobbly v1");
    }

    @Test
    void a_graph_shows_its_fingerprint_steps_dependencies_and_policies() {
        JsonNode demo = api.get("/api/graphs").json().path("graphs").get(0);

        assertThat(demo.path("fingerprint").asText())
                .isEqualTo(TestGraphs.demoV1().fingerprint());
        JsonNode write = demo.path("steps").get(1);
        assertThat(write.path("name").asText()).isEqualTo("write");
        assertThat(write.path("dependsOn").get(0).asText()).isEqualTo("plan");
        assertThat(write.path("timeoutMs").asLong()).isEqualTo(300_000);
        JsonNode retry = write.path("retry");
        assertThat(retry.path("maxAttempts").asInt()).isEqualTo(3);
        assertThat(retry.path("initialBackoffMs").asLong()).isEqualTo(1000);
        assertThat(retry.path("multiplier").asDouble()).isEqualTo(2.0);
        assertThat(retry.path("maxBackoffMs").asLong()).isEqualTo(60_000);
        assertThat(retry.path("jitter").asDouble()).isEqualTo(0.2);
        assertThat(retry.path("nonRetryable").isArray()).isTrue();
    }

    @Test
    void a_policy_with_non_retryable_types_lists_them() {
        JsonNode wobbly = api.get("/api/graphs").json().path("graphs").get(3);
        JsonNode retry = wobbly.path("steps").get(0).path("retry");

        assertThat(retry.path("maxAttempts").asInt()).isEqualTo(3);
        assertThat(retry.path("initialBackoffMs").asLong()).isEqualTo(10_000);
        assertThat(retry.path("jitter").asDouble()).isZero();
        assertThat(retry.path("nonRetryable").get(0).asText()).isEqualTo("java.lang.IllegalArgumentException");
    }
}
