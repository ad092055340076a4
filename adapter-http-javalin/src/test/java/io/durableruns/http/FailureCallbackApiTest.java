package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.http.TestApi.Response;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailureCallbackApiTest {
    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    /** The callback QStash sends after the last failed delivery of the message for {@code attempt} of a step. */
    private static String callback(String runId, String step, int attempt) {
        String source = "{\"runId\":\"" + runId + "\",\"step\":\"" + step + "\",\"attempt\":" + attempt + "}";
        return "{\"status\":503,\"header\":{},\"body\":\"e30=\",\"retried\":3,\"maxRetries\":3,"
                + "\"sourceMessageId\":\"msg_1\",\"url\":\"https://runs.example/api/jobs/run-step\",\"method\":\"POST\","
                + "\"sourceBody\":\"" + Base64.getEncoder().encodeToString(source.getBytes(StandardCharsets.UTF_8))
                + "\",\"createdAt\":1767225600000}";
    }

    private Response send(String body) {
        return api.post("/api/jobs/step-failed", body, "Upstash-Signature", FakeVerifier.sign(body));
    }

    @Test
    void an_undelivered_attempt_with_attempts_left_counts_and_the_step_is_retried_by_a_new_message() {
        String id = api.createRun("wobbly", "{}");

        Response r = send(callback(id, "wobble", 1));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("retry");
        StepRecord step = api.run(id).step("wobble").orElseThrow();
        assertThat(step.status()).isEqualTo(StepStatus.RETRYING);
        assertThat(step.attempt()).isEqualTo(1);
        assertThat(step.error().type()).isEqualTo("DeliveryFailed");
        assertThat(step.error().message()).contains("QStash", "503");
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.QUEUED);
        assertThat(api.timeline(id))
                .extracting(TimelineEvent::type)
                .endsWith(EventType.STEP_DELIVERY_GIVEN_UP, EventType.STEP_FAILED, EventType.STEP_RETRY_SCHEDULED);
    }

    @Test
    void the_last_attempt_undelivered_fails_the_step_and_its_run() {
        String id = api.createRun("wobbly", "{}");
        api.deliverAttempt(id, "wobble", 1);
        api.clock.advance(Duration.ofSeconds(10));
        api.deliverAttempt(id, "wobble", 2);
        api.clock.advance(Duration.ofSeconds(10));

        Response r = send(callback(id, "wobble", 3));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("failed");
        assertThat(api.stepStatus(id, "wobble")).isEqualTo(StepStatus.FAILED);
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void a_repeated_or_stale_callback_is_recorded_and_changes_nothing() {
        String id = api.createRun("wobbly", "{}");
        send(callback(id, "wobble", 1));
        StepRecord before = api.run(id).step("wobble").orElseThrow();
        int events = api.timelineSize(id);

        Response again = send(callback(id, "wobble", 1));

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(api.run(id).step("wobble").orElseThrow()).isEqualTo(before);
        assertThat(api.timelineSize(id)).isEqualTo(events + 1);
        TimelineEvent recorded = api.timeline(id).get(events);
        assertThat(recorded.type()).isEqualTo(EventType.STEP_DELIVERY_GIVEN_UP);
        assertThat(recorded.data().path("ignored").asText()).contains("attempt 1");
    }

    @Test
    void a_callback_replayed_after_a_manual_retry_does_not_fail_the_retried_run() {
        String id = api.createRun("flaky", "{}");
        api.deliverAttempt(id, "explode", 1);
        api.engine.retry(id);

        Response replayed = send(callback(id, "explode", 1));

        assertThat(replayed.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.QUEUED);
        assertThat(api.stepStatus(id, "explode")).isEqualTo(StepStatus.QUEUED);
    }

    @Test
    void a_callback_for_a_step_that_succeeded_leaves_it_alone() {
        String id = api.createRun("demo", 2, "{}");
        api.deliver(id, "plan");

        Response r = send(callback(id, "plan", 1));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
    }

    @Test
    void a_callback_for_an_unknown_run_is_200_and_stores_nothing() {
        Response r = send(callback("run_00000000000000000000000000", "plan", 1));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void an_unsigned_or_forged_callback_is_401_and_changes_nothing() {
        String id = api.createRun("wobbly", "{}");
        api.deliver(id, "wobble");
        int events = api.timelineSize(id);

        Response unsigned = api.post("/api/jobs/step-failed", callback(id, "wobble", 1));
        Response forged = api.post(
                "/api/jobs/step-failed", callback(id, "wobble", 1), "Upstash-Signature", FakeVerifier.sign("{}"));

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
