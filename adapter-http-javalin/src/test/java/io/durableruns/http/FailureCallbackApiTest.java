package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.http.TestApi.Response;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepStatus;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailureCallbackApiTest {
    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    /** The callback QStash sends after the last failed delivery of {@code runId}/{@code step}. */
    private static String callback(String runId, String step) {
        String source = "{\"runId\":\"" + runId + "\",\"step\":\"" + step + "\"}";
        return "{\"status\":503,\"header\":{},\"body\":\"e30=\",\"retried\":3,\"maxRetries\":3,"
                + "\"sourceMessageId\":\"msg_1\",\"url\":\"https://runs.example/api/jobs/run-step\",\"method\":\"POST\","
                + "\"sourceBody\":\"" + Base64.getEncoder().encodeToString(source.getBytes(StandardCharsets.UTF_8))
                + "\",\"createdAt\":1767225600000}";
    }

    private Response send(String body) {
        return api.post("/api/jobs/step-failed", body, "Upstash-Signature", FakeVerifier.sign(body));
    }

    @Test
    void the_failure_callback_fails_the_step_and_its_run_and_answers_200() {
        String id = api.createRun("wobbly", "{}");
        api.deliver(id, "wobble");

        Response r = send(callback(id, "wobble"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("failed");
        assertThat(api.stepStatus(id, "wobble")).isEqualTo(StepStatus.FAILED);
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(api.run(id).step("wobble").orElseThrow().error().message()).contains("QStash", "503");
    }

    @Test
    void a_repeated_callback_is_200_and_changes_nothing() {
        String id = api.createRun("wobbly", "{}");
        api.deliver(id, "wobble");
        send(callback(id, "wobble"));
        int events = api.timelineSize(id);

        Response again = send(callback(id, "wobble"));

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(api.timelineSize(id)).isEqualTo(events);
    }

    @Test
    void a_callback_for_a_step_that_succeeded_leaves_it_alone() {
        String id = api.createRun("demo", 2, "{}");
        api.deliver(id, "plan");

        Response r = send(callback(id, "plan"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void a_callback_for_an_unknown_run_is_200_and_stores_nothing() {
        Response r = send(callback("run_00000000000000000000000000", "plan"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void an_unsigned_or_forged_callback_is_401_and_changes_nothing() {
        String id = api.createRun("wobbly", "{}");
        api.deliver(id, "wobble");
        int events = api.timelineSize(id);

        Response unsigned = api.post("/api/jobs/step-failed", callback(id, "wobble"));
        Response forged =
                api.post("/api/jobs/step-failed", callback(id, "wobble"), "Upstash-Signature", FakeVerifier.sign("{}"));

        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(api.stepStatus(id, "wobble")).isEqualTo(StepStatus.RETRYING);
        assertThat(api.timelineSize(id)).isEqualTo(events);
    }

    @Test
    void a_signed_but_malformed_callback_is_400_and_changes_nothing() {
        String id = api.createRun("wobbly", "{}");
        api.deliver(id, "wobble");
        String notBase64 = "{\"sourceBody\":\"%%%\"}";
        String notAMessage = "{\"sourceBody\":\""
                + Base64.getEncoder().encodeToString("[1]".getBytes(StandardCharsets.UTF_8)) + "\"}";

        assertThat(send("{}").status()).isEqualTo(400);
        assertThat(send("{\"sourceBody\":7}").status()).isEqualTo(400);
        assertThat(send(notBase64).status()).isEqualTo(400);
        assertThat(send(notAMessage).status()).isEqualTo(400);
        assertThat(send("nope").status()).isEqualTo(400);
        assertThat(api.stepStatus(id, "wobble")).isEqualTo(StepStatus.RETRYING);
    }
}
