package io.durableruns.examples.embedded;

import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import io.durableruns.jdbc.LocalDispatcher;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunStatus;
import java.util.List;
import java.util.Map;

/**
 * The library embedded in a plain Java program: PostgreSQL, the local dispatcher, no HTTP. Run it with
 * {@code DATABASE_URL=postgres://postgres@127.0.0.1:5432/test} (SQLite when unset).
 */
public final class EmbeddedExample {
    public static void main(String[] args) throws InterruptedException {
        StepGraph greet = StepGraph.builder("greet", 1)
                .step("lookup", ctx -> Map.of("name", ctx.input().path("user").asText()))
                .step("compose", List.of("lookup"), ctx -> "Hello, " + ctx.output("lookup").get("name").asText())
                .step("deliver", List.of("compose"), ctx -> {
                    ctx.artifacts().putText("message.txt", "text/plain", ctx.output("compose").asText());
                    return Map.of("delivered", true);
                })
                .build();
        String url = System.getenv().getOrDefault("DATABASE_URL", "jdbc:sqlite:./data/embedded.db");

        try (JdbcRunStore store = JdbcRunStore.fromUrl(url, JdbcOptions.defaults());
                LocalDispatcher dispatcher = LocalDispatcher.builder().workers(4).listenTo(store).build()) {
            RunEngine engine = RunEngine.builder()
                    .store(store)
                    .registry(new GraphRegistry().register(greet))
                    .dispatchSignal(dispatcher)
                    .build();
            dispatcher.start(engine, engine);

            var input = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("user", "Ada");
            String runId = engine.create(new CreateRunCommand("greet", null, input, "greet-ada")).run().run().id();

            RunDetails run = engine.find(runId).orElseThrow();
            for (int i = 0; i < 100 && !run.run().status().isTerminal(); i++) {
                Thread.sleep(50);
                run = engine.find(runId).orElseThrow();
            }
            System.out.println(runId + " " + run.run().status() + ": "
                    + engine.artifact(runId, "deliver", "message.txt").map(a -> new String(a.content())).orElse("-"));
            System.exit(run.run().status() == RunStatus.SUCCEEDED ? 0 : 1);
        }
    }
}
