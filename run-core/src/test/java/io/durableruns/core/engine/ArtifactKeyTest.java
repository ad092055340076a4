package io.durableruns.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.testkit.RunTestKit;
import io.durableruns.ports.model.RunStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Artifact keys are one URL path segment, so every artifact a step writes can be fetched over HTTP. */
class ArtifactKeyTest {
    private static RunTestKit kitWritingKey(String key) {
        return RunTestKit.of(StepGraph.builder("keys", 1)
                .step(StepDefinition.named("write")
                        .retry(RetryPolicy.noRetries())
                        .handler(ctx -> {
                            ctx.artifacts().putText(key, "text/plain", "x");
                            return null;
                        }))
                .build());
    }

    @Test
    void a_key_that_is_one_path_segment_is_stored() {
        RunTestKit kit = kitWritingKey("report-2026_v1.md");
        String id = kit.start("keys", Map.of());
        kit.runUntilIdle();
        assertThat(kit.artifactText(id, "write", "report-2026_v1.md")).isEqualTo("x");
    }

    @Test
    void a_key_that_no_url_could_name_fails_the_step_with_a_message_saying_why() {
        for (String key : new String[] {"a/b", "with space", ".hidden", "", "k".repeat(201)}) {
            RunTestKit kit = kitWritingKey(key);
            String id = kit.start("keys", Map.of());
            kit.runUntilIdle();
            assertThat(kit.run(id).run().status()).as(key).isEqualTo(RunStatus.FAILED);
            assertThat(kit.step(id, "write").error().message()).as(key).contains("artifact key must match");
            assertThat(kit.artifacts(id)).isEmpty();
        }
    }
}
