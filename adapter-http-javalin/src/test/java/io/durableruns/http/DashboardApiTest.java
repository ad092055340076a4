package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.http.TestApi.Response;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API data the dashboard reads: counts, current steps, id search, unfinished runs per graph version. */
class DashboardApiTest {
    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    private String failedRun() {
        String id = api.createRun("flaky", "{}");
        api.deliver(id, "explode");
        return id;
    }

    @Test
    void the_listing_shows_the_failed_step_of_a_failed_run() {
        String failed = failedRun();
        api.clock.advance(Duration.ofSeconds(1));
        String queued = api.createRun("demo", 1, "{}");

        JsonNode runs = api.get("/api/runs").json().path("runs");

        JsonNode first = runs.get(0);
        JsonNode second = runs.get(1);
        assertThat(first.path("id").asText()).isEqualTo(queued);
        assertThat(first.path("currentSteps")).isEmpty();
        assertThat(second.path("id").asText()).isEqualTo(failed);
        assertThat(second.path("currentSteps").get(0).path("name").asText()).isEqualTo("explode");
        assertThat(second.path("currentSteps").get(0).path("status").asText()).isEqualTo("FAILED");
        assertThat(second.path("currentSteps").get(0).path("attempt").asInt()).isEqualTo(1);
    }

    @Test
    void runs_are_found_by_their_id_or_its_beginning_in_any_case() {
        String failed = failedRun();
        api.createRun("demo", 1, "{}");

        for (String query : new String[] {failed, failed.toUpperCase(), failed.substring(4), " " + failed + " "}) {
            JsonNode runs =
                    api.get("/api/runs?id=" + query.replace(" ", "%20")).json().path("runs");
            assertThat(runs).as(query).hasSize(1);
            assertThat(runs.get(0).path("id").asText()).isEqualTo(failed);
        }
        assertThat(api.get("/api/runs?id=run_").json().path("runs")).hasSize(2);
        Response bad = api.get("/api/runs?id=run_u");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorCode()).isEqualTo("invalid_request");
    }

    @Test
    void run_counts_are_given_per_status_for_all_graphs_or_one() {
        failedRun();
        api.createRun("demo", 1, "{}");
        api.createRun("demo", 1, "{}");

        JsonNode all = api.get("/api/run-counts").json();
        JsonNode demo = api.get("/api/run-counts?graph=demo").json();

        assertThat(all.path("counts").path("FAILED").asLong()).isEqualTo(1);
        assertThat(all.path("counts").path("QUEUED").asLong()).isEqualTo(2);
        assertThat(all.path("counts").path("SUCCEEDED").asLong()).isZero();
        assertThat(all.path("cap").asLong()).isEqualTo(10_000);
        assertThat(demo.path("counts").path("FAILED").asLong()).isZero();
        assertThat(demo.path("counts").path("QUEUED").asLong()).isEqualTo(2);
        assertThat(api.get("/api/run-counts?graph=Not%20A%20Name").status()).isEqualTo(400);
    }

    @Test
    void every_graph_version_says_how_many_of_its_runs_have_not_finished() {
        failedRun();
        api.createRun("demo", 1, "{}");
        api.createRun("demo", 1, "{}");
        api.createRun("demo", 2, "{}");

        JsonNode graphs = api.get("/api/graphs").json().path("graphs");

        for (JsonNode g : graphs) {
            String key = g.path("name").asText() + "@" + g.path("version").asInt();
            long expected = key.equals("demo@1") ? 2 : key.equals("demo@2") ? 1 : 0;
            assertThat(g.path("unfinishedRuns").asLong()).as(key).isEqualTo(expected);
        }
    }

    @Test
    void a_step_says_who_holds_its_lease_and_how_many_dependencies_it_waits_for() {
        String id = api.createRun("demo", 1, "{}");

        JsonNode steps = api.get("/api/runs/" + id).json().path("steps");

        JsonNode write = steps.get(1);
        assertThat(write.path("pendingDeps").asInt()).isEqualTo(1);
        assertThat(write.path("attemptsInBudget").asInt()).isZero();
        assertThat(write.has("leaseOwner")).isTrue();
        assertThat(write.path("leaseUntil").isNull()).isTrue();
    }
}
