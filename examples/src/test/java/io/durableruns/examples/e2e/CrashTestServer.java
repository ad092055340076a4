package io.durableruns.examples.e2e;

import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.examples.graphs.ResearchGraph;
import io.durableruns.examples.server.RunsServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A server process for the crash tests: the standalone server with a graph whose middle step is slow and
 * has a short timeout, so a lease expires a few seconds after its process is killed, and the research demo graph
 * with the same short timeout on every step.
 */
public final class CrashTestServer {
    static final Duration WORK_TIMEOUT = Duration.ofSeconds(3);

    private CrashTestServer() {}

    static GraphRegistry registry() {
        StepGraph slow = StepGraph.builder("slow", 1)
                .step("prepare", ctx -> Map.of("ok", true))
                .step(StepDefinition.named("work")
                        .dependsOn("prepare")
                        .timeout(WORK_TIMEOUT)
                        .handler(ctx -> {
                            Thread.sleep(ctx.input().path("sleepMs").asLong(0));
                            ctx.artifacts().putText("out.txt", "text/plain", "attempt " + ctx.attempt());
                            return Map.of("attempt", ctx.attempt());
                        }))
                .step("finish", List.of("work"), ctx -> "done")
                .build();
        StepGraph research = ResearchGraph.create();
        StepGraph.Builder quick = StepGraph.builder(research.name(), research.version());
        for (StepDefinition step : research.steps()) {
            quick.step(StepDefinition.named(step.name())
                    .dependsOn(step.dependsOn())
                    .retry(step.retry())
                    .timeout(WORK_TIMEOUT)
                    .handler(step.handler()));
        }
        return new GraphRegistry().register(slow).register(quick.build());
    }

    public static void main(String[] args) throws InterruptedException {
        RunsServer.start(System.getenv(), registry(), b -> b.leaseMargin(Duration.ofSeconds(1)))
                .closeOnShutdown();
        Thread.currentThread().join();
    }
}
