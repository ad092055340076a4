package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.durableruns.http.TestApi.Response;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class StepDeliveryApiTest {
    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    private static String message(String runId, String step) {
        return "{\"runId\":\"" + runId + "\",\"step\":\"" + step + "\"}";
    }

    @Test
    void a_signed_delivery_runs_the_step_and_answers_200_done() {
        String id = api.createRun("demo", 1, "{\"topic\":\"t\"}");

        Response r = api.deliver(id, "plan", "Upstash-Retried", "0");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("done");
        assertThat(r.json().path("runId").asText()).isEqualTo(id);
        assertThat(r.json().path("step").asText()).isEqualTo("plan");
        assertThat(r.json().path("attempt").asInt()).isEqualTo(1);
        assertThat(api.stepStatus(id, "plan")).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(api.stepStatus(id, "write")).isEqualTo(StepStatus.QUEUED);
    }

    @Test
    void a_delivery_without_a_signature_is_401_and_changes_nothing() {
        String id = api.createRun("demo", 1, "{}");
        int events = api.timelineSize(id);

        Response r = api.post("/api/jobs/run-step", message(id, "plan"));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("unauthorized");
        assertThat(r.text()).doesNotContain("missing_signature");
        assertThat(api.stepStatus(id, "plan")).isEqualTo(StepStatus.QUEUED);
        assertThat(api.timelineSize(id)).isEqualTo(events);
    }

    @Test
    void a_delivery_with_a_forged_signature_is_401_and_changes_nothing() {
        String id = api.createRun("demo", 1, "{}");
        int events = api.timelineSize(id);
        String other = message(id, "write");

        Response forged = api.post("/api/jobs/run-step", message(id, "plan"), "Upstash-Signature", "sha256=forged");
        Response replayed =
                api.post("/api/jobs/run-step", message(id, "plan"), "Upstash-Signature", FakeVerifier.sign(other));

        assertThat(forged.status()).isEqualTo(401);
        assertThat(replayed.status()).isEqualTo(401);
        assertThat(forged.text()).doesNotContain("body_hash_mismatch");
        assertThat(api.stepStatus(id, "plan")).isEqualTo(StepStatus.QUEUED);
        assertThat(api.timelineSize(id)).isEqualTo(events);
    }

    @Test
    void the_signature_is_checked_on_the_raw_bytes_not_on_reserialised_json() {
        String id = api.createRun("demo", 1, "{}");
        String spaced = "{ \"runId\" : \"" + id + "\" , \"step\" : \"plan\" }";

        Response r = api.post("/api/jobs/run-step", spaced, "Upstash-Signature", FakeVerifier.sign(spaced));

        assertThat(r.status()).isEqualTo(200);
        assertThat(api.stepStatus(id, "plan")).isEqualTo(StepStatus.SUCCEEDED);
    }

    @Test
    void an_unsigned_body_is_refused_before_it_is_parsed() {
        Response r = api.post("/api/jobs/run-step", "not json at all");

        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void a_redelivery_of_a_done_step_is_200_duplicate_and_changes_nothing() {
        String id = api.createRun("demo", 1, "{}");
        api.deliver(id, "plan");
        int events = api.timelineSize(id);

        Response again = api.deliver(id, "plan", "Upstash-Retried", "1");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("outcome").asText()).isEqualTo("duplicate");
        assertThat(api.timelineSize(id)).isEqualTo(events);
        assertThat(api.run(id).step("plan").orElseThrow().attempt()).isEqualTo(1);
    }

    @Test
    void a_delivery_for_a_step_that_is_not_ready_is_200_ignored() {
        String id = api.createRun("demo", 1, "{}");

        Response r = api.deliver(id, "write");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(r.json().path("reason").asText()).isNotBlank();
        assertThat(api.stepStatus(id, "write")).isEqualTo(StepStatus.PENDING);
    }

    @Test
    void a_delivery_for_an_unknown_run_is_acknowledged_and_stores_nothing() {
        Response r = api.deliver("run_00000000000000000000000000", "plan");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(api.runCount()).isZero();
    }

    @Test
    void a_duplicate_of_the_running_attempts_message_is_200_busy_and_changes_nothing() {
        String id = api.createRun("demo", 1, "{}");
        List<StepLease> leases = api.engine.claimDue("worker-1", 1);
        assertThat(leases).hasSize(1);
        int events = api.timelineSize(id);

        Response r = api.deliverAttempt(id, "plan", 1);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("busy");
        assertThat(r.json().path("leaseUntil").asText())
                .isEqualTo(leases.get(0).leaseUntil().toString());
        assertThat(api.stepStatus(id, "plan")).isEqualTo(StepStatus.RUNNING);
        assertThat(api.timelineSize(id)).isEqualTo(events);
    }

    @Test
    void a_failed_attempt_with_retries_left_is_200_and_its_retry_is_a_new_message() {
        String id = api.createRun("wobbly", "{}");

        Response r = api.deliverAttempt(id, "wobble", 1);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("retry");
        assertThat(r.json().path("attempt").asInt()).isEqualTo(1);
        assertThat(r.json().path("nextAttemptAt").asText())
                .isEqualTo(api.clock.instant().plusSeconds(10).toString());
        assertThat(r.json().path("message").asText()).isEqualTo("network down");
        assertThat(api.stepStatus(id, "wobble")).isEqualTo(StepStatus.RETRYING);
        List<DispatchIntent> next = api.store.inTransaction(
                tx -> tx.intents().lease("relay", api.clock.instant(), api.clock.instant(), 10));
        assertThat(next).singleElement().satisfies(intent -> {
            assertThat(intent.attempt()).isEqualTo(2);
            assertThat(intent.dueAt()).isEqualTo(api.clock.instant().plusSeconds(10));
        });
    }

    @Test
    void a_duplicate_of_a_failed_attempts_message_starts_nothing() {
        String id = api.createRun("wobbly", "{}");
        api.deliverAttempt(id, "wobble", 1);
        api.clock.advance(Duration.ofSeconds(30));
        int events = api.timelineSize(id);

        Response late = api.deliverAttempt(id, "wobble", 1);

        assertThat(late.status()).isEqualTo(200);
        assertThat(late.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(late.json().path("reason").asText()).contains("attempt 1", "attempt 2");
        assertThat(api.run(id).step("wobble").orElseThrow().attempt()).isEqualTo(1);
        assertThat(api.timelineSize(id)).isEqualTo(events);
    }

    @Test
    void the_message_of_the_next_attempt_runs_it_even_a_little_before_its_due_time() {
        String id = api.createRun("wobbly", "{}");
        api.deliverAttempt(id, "wobble", 1);
        api.clock.advance(Duration.ofMillis(9500));

        Response second = api.deliverAttempt(id, "wobble", 2);

        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().path("outcome").asText()).isEqualTo("retry");
        assertThat(api.run(id).step("wobble").orElseThrow().attempt()).isEqualTo(2);
    }

    @Test
    void a_message_that_names_no_attempt_waits_for_a_retry_to_fall_due() {
        String id = api.createRun("wobbly", "{}");
        api.deliver(id, "wobble");
        api.clock.advance(Duration.ofMillis(6500));

        Response early = api.deliver(id, "wobble");

        assertThat(early.status()).isEqualTo(200);
        assertThat(early.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(early.json().path("reason").asText()).contains("due at");
        assertThat(api.run(id).step("wobble").orElseThrow().attempt()).isEqualTo(1);
    }

    @Test
    void attempts_are_counted_by_the_engine_not_by_qstash_redeliveries() {
        String id = api.createRun("wobbly", "{}");
        api.deliverAttempt(id, "wobble", 1);
        api.clock.advance(Duration.ofSeconds(10));

        Response second = api.post(
                "/api/jobs/run-step",
                "{\"runId\":\"" + id + "\",\"step\":\"wobble\",\"attempt\":2}",
                "Upstash-Signature",
                FakeVerifier.sign("{\"runId\":\"" + id + "\",\"step\":\"wobble\",\"attempt\":2}"),
                "Upstash-Retried",
                "7");

        assertThat(second.status()).isEqualTo(200);
        assertThat(api.run(id).step("wobble").orElseThrow().attempt()).isEqualTo(2);
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void a_step_that_failed_for_good_is_200_failed() {
        String id = api.createRun("flaky", "{}");

        Response r = api.deliverAttempt(id, "explode", 1);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("outcome").asText()).isEqualTo("failed");
        assertThat(r.json().path("message").asText()).contains("boom");
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void a_signed_but_malformed_body_is_400_and_changes_nothing() {
        String id = api.createRun("demo", 1, "{}");
        int events = api.timelineSize(id);

        for (String body : List.of(
                "{",
                "[]",
                "{\"runId\":\"" + id + "\"}",
                "{\"runId\":\"nope\",\"step\":\"plan\"}",
                "{\"runId\":\"" + id + "\",\"step\":\"Plan!\"}",
                "{\"runId\":7,\"step\":\"plan\"}",
                "{\"runId\":\"" + id + "\",\"step\":\"plan\",\"attempt\":0}",
                "{\"runId\":\"" + id + "\",\"step\":\"plan\",\"attempt\":\"1\"}",
                "")) {
            Response r = api.post("/api/jobs/run-step", body, "Upstash-Signature", FakeVerifier.sign(body));
            assertThat(r.status()).as(body).isEqualTo(400);
        }
        assertThat(api.stepStatus(id, "plan")).isEqualTo(StepStatus.QUEUED);
        assertThat(api.timelineSize(id)).isEqualTo(events);
    }

    @Test
    void a_delivery_body_over_the_limit_is_413() {
        String big = "{\"runId\":\"x\",\"pad\":\"" + "x".repeat(RunsHttpServer.DEFAULT_BODY_LIMIT) + "\"}";

        Response r = api.post("/api/jobs/run-step", big, "Upstash-Signature", FakeVerifier.sign(big));

        assertThat(r.status()).isEqualTo(413);
    }

    @Test
    void a_whole_run_completes_through_deliveries() {
        String id = api.createRun("demo", 1, "{\"topic\":\"t\"}");

        api.deliver(id, "plan");
        api.deliver(id, "write");

        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(api.get("/api/runs/" + id + "/artifacts").json().path("artifacts"))
                .hasSize(1);
    }

    @Test
    void without_a_verifier_every_request_to_the_job_routes_is_401_and_changes_nothing() {
        try (TestApi plain = TestApi.with().noVerifier().start()) {
            String id = plain.createRun("demo", 1, "{}");
            int events = plain.timelineSize(id);
            String body = message(id, "plan");
            String jwtShaped = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJVcHN0YXNoIn0.c2ln";

            List<Response> answers = List.of(
                    plain.post("/api/jobs/run-step", body),
                    plain.post("/api/jobs/run-step", body, "Upstash-Signature", FakeVerifier.sign(body)),
                    plain.post("/api/jobs/run-step", body, "Upstash-Signature", jwtShaped),
                    plain.post("/api/jobs/step-failed", body),
                    plain.post("/api/jobs/step-failed", body, "Upstash-Signature", FakeVerifier.sign(body)));

            assertThat(answers).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(401);
                assertThat(r.errorCode()).isEqualTo("unauthorized");
            });
            assertThat(plain.stepStatus(id, "plan")).isEqualTo(StepStatus.QUEUED);
            assertThat(plain.run(id).step("plan").orElseThrow().attempt()).isZero();
            assertThat(plain.timelineSize(id)).isEqualTo(events);
            assertThat(plain.metricsLine("durableruns_signature_rejections_total{reason=\"no_verifier\"}"))
                    .hasValueSatisfying(line -> assertThat(line).endsWith(" 5.0"));
        }
    }

    @Test
    void without_a_verifier_the_refusal_is_logged_once_at_start_up_and_not_per_request() {
        ListAppender<ILoggingEvent> serverLog = capture(RunsHttpServer.class);
        ListAppender<ILoggingEvent> jobsLog = capture(JobRoutes.class);
        try (TestApi plain = TestApi.with().noVerifier().start()) {
            String body = message(plain.createRun("demo", 1, "{}"), "plan");
            for (int i = 0; i < 3; i++) {
                plain.post("/api/jobs/run-step", body, "Upstash-Signature", FakeVerifier.sign(body));
            }

            assertThat(serverLog.list)
                    .filteredOn(e -> e.getFormattedMessage().contains("401"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("no message verifier"));
            assertThat(jobsLog.list).isEmpty();
        } finally {
            release(RunsHttpServer.class, serverLog);
            release(JobRoutes.class, jobsLog);
        }
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> type) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(type)).addAppender(appender);
        return appender;
    }

    private static void release(Class<?> type, ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(type)).detachAppender(appender);
    }
}
