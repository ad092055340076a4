package io.durableruns.examples.embedded;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.durableruns.core.dispatch.Dispatcher;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import io.durableruns.ports.in.CreateRunCommand;
import java.util.List;
import java.util.Map;

/**
 * The library embedded in a plain Java program: PostgreSQL, the local dispatcher, no HTTP. Run it with
 * {@code DATABASE_URL=postgres://postgres@127.0.0.1:5432/test} (an SQLite file when unset).
 */
public final class EmbeddedExample {
    static final StepGraph GREET = StepGraph.builder("greet", 1)
            .step("lookup", ctx -> Map.of("name", ctx.input().path("user").asText()))
            .step(
                    "compose",
                    List.of("lookup"),
                    ctx -> "Hello, " + ctx.output("lookup").get("name").asText())
            .step("deliver", List.of("compose"), ctx -> {
                ctx.artifacts()
                        .putText(
                                "message.txt",
                                "text/plain",
                                ctx.output("compose").asText());
                return Map.of("delivered", true);
            })
            .build();

    public static void main(String[] args) throws InterruptedException {
        String message = greet(System.getenv().getOrDefault("DATABASE_URL", "jdbc:sqlite:./data/embedded.db"), "Ada");
        System.out.println(message);
    }

    /** Runs the greet graph for {@code user} and returns the message it delivered. */
    static String greet(String databaseUrl, String user) throws InterruptedException {
        try (JdbcRunStore store = JdbcRunStore.fromUrl(databaseUrl, JdbcOptions.defaults());
                Dispatcher dispatcher =
                        Dispatcher.builder().workers(4).wakeSource(store).build()) {
            RunEngine engine = RunEngine.builder()
                    .store(store)
                    .registry(new GraphRegistry().register(GREET))
                    .dispatchSignal(dispatcher)
                    .build();
            dispatcher.start(engine);

            var input = JsonNodeFactory.instance.objectNode().put("user", user);
            String runId = engine.create(new CreateRunCommand("greet", null, input, "greet-" + user))
                    .run()
                    .run()
                    .id();
            for (int i = 0;
                    i < 200 && !engine.find(runId).orElseThrow().run().status().isTerminal();
                    i++) {
                Thread.sleep(25);
            }
            return engine.artifact(runId, "deliver", "message.txt")
                    .map(a -> new String(a.content(), java.nio.charset.StandardCharsets.UTF_8))
                    .orElseThrow(() -> new IllegalStateException("run " + runId + " did not deliver"));
        }
    }
}
