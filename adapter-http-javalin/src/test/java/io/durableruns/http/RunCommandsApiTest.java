package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.http.TestApi.Response;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunCommandsApiTest {
    private static final String MISSING = "run_00000000000000000000000000";

    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void retrying_a_failed_run_answers_202_and_queues_its_failed_steps_again() {
        String id = api.createRun("flaky", "{}");
        api.deliver(id, "explode");
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.FAILED);

        Response r = api.post("/api/runs/" + id + "/retry", "");

        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("id").asText()).isEqualTo(id);
        assertThat(r.json().path("status").asText()).isEqualTo("QUEUED");
        assertThat(r.json().path("steps").get(0).path("status").asText()).isEqualTo("QUEUED");
        assertThat(api.stepStatus(id, "explode")).isEqualTo(StepStatus.QUEUED);
    }

    @Test
    void retrying_a_run_that_has_not_failed_is_409_and_changes_nothing() {
        String id = api.createRun("demo", "{}");
        int events = api.timelineSize(id);

        Response r = api.post("/api/runs/" + id + "/retry", "");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("run_state_conflict");
        assertThat(r.json().path("error").path("message").asText()).contains("QUEUED");
        assertThat(api.timelineSize(id)).isEqualTo(events);
        assertThat(api.run(id).run().status()).isEqualTo(RunStatus.QUEUED);
    }

    @Test
    void cancelling_a_run_answers_202_and_later_deliveries_are_ignored() {
        String id = api.createRun("demo", 1, "{}");

        Response r = api.post("/api/runs/" + id + "/cancel", "");
        Response delivery = api.deliver(id, "plan");

        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("status").asText()).isEqualTo("CANCELLED");
        assertThat(delivery.status()).isEqualTo(200);
        assertThat(delivery.json().path("outcome").asText()).isEqualTo("ignored");
        assertThat(api.stepStatus(id, "plan")).isEqualTo(StepStatus.CANCELLED);
    }

    @Test
    void cancelling_a_finished_run_is_409_and_changes_nothing() {
        String succeeded = api.createRun("demo", "{}");
        api.deliver(succeeded, "plan");
        String cancelled = api.createRun("demo", "{}");
        api.post("/api/runs/" + cancelled + "/cancel", "");
        int events = api.timelineSize(succeeded);

        Response again = api.post("/api/runs/" + cancelled + "/cancel", "");
        Response done = api.post("/api/runs/" + succeeded + "/cancel", "");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorCode()).isEqualTo("run_state_conflict");
        assertThat(done.status()).isEqualTo(409);
        assertThat(api.run(succeeded).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(api.timelineSize(succeeded)).isEqualTo(events);
    }

    @Test
    void retrying_or_cancelling_an_unknown_run_is_404() {
        assertThat(api.post("/api/runs/" + MISSING + "/retry", "").status()).isEqualTo(404);
        assertThat(api.post("/api/runs/" + MISSING + "/cancel", "").errorCode()).isEqualTo("run_not_found");
        assertThat(api.runCount()).isZero();
    }
}
