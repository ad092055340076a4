package io.durableruns.examples.graphs;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.testkit.RunTestKit;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How to unit-test a step graph offline: no database, no network, no sleeping. The test kit runs the graph
 * in memory on a clock that jumps over backoffs.
 */
class ResearchGraphTest {

    @Test
    void a_research_run_writes_a_spec_from_both_searches() {
        RunTestKit kit = RunTestKit.of(ResearchGraph.create());

        String runId = kit.start("research", Map.of("topic", "durable execution"));
        kit.runUntilIdle();

        assertThat(kit.run(runId).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.artifactText(runId, "write-spec", "spec.md"))
                .startsWith("# Spec: durable execution")
                .contains("web-search: durable execution overview")
                .contains("paper-search: durable execution pitfalls");
        assertThat(kit.toolCalls(runId))
                .extracting(t -> t.tool())
                .contains("planner", "web-search", "paper-search", "summarizer", "writer");
    }

    @Test
    void synthesize_failing_twice_is_retried_and_the_timeline_shows_why() {
        RunTestKit kit = RunTestKit.of(ResearchGraph.create());

        String runId = kit.start("research", Map.of("topic", "t", "failTimes", Map.of("synthesize", 2)));
        kit.runUntilIdle();

        assertThat(kit.run(runId).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.step(runId, "synthesize").attempt()).isEqualTo(3);
        List<TimelineEvent> failures = kit.timeline(runId).stream()
                .filter(e -> e.type() == EventType.STEP_FAILED)
                .toList();
        assertThat(failures).extracting(TimelineEvent::attempt).containsExactly(1, 2);
        assertThat(failures.get(0).data().get("message").asText()).contains("asked to fail 2 time(s)");
        assertThat(kit.artifacts(runId)).hasSize(1);
    }

    @Test
    void a_flaky_run_that_fails_can_be_retried_by_hand() {
        RunTestKit kit = RunTestKit.of(FlakyGraph.create());

        String runId = kit.start("flaky", Map.of("failTimes", Map.of("wobble", 2)));
        kit.runUntilIdle();
        assertThat(kit.run(runId).run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(kit.step(runId, "wobble").status()).isEqualTo(StepStatus.FAILED);

        kit.engine().retry(runId);
        kit.runUntilIdle();

        assertThat(kit.run(runId).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.step(runId, "wobble").attempt()).isEqualTo(3);
    }

    @Test
    void a_crash_after_writing_the_spec_but_before_committing_still_leaves_one_spec() {
        RunTestKit kit = RunTestKit.of(ResearchGraph.create()).crashBeforeCommit("write-spec", 1);

        String runId = kit.start("research", Map.of("topic", "crash"));
        kit.runUntilIdle();

        assertThat(kit.run(runId).run().status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(kit.step(runId, "write-spec").attempt()).isEqualTo(2);
        assertThat(kit.artifacts(runId)).singleElement().satisfies(a -> assertThat(a.key())
                .isEqualTo("spec.md"));
    }
}
