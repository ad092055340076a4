package io.durableruns.core;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a step handler sees: its run, its attempt, the run input, the outputs of its dependencies, its
 * artifacts and a tool-usage recorder. Steps never depend on client state: everything here comes from
 * the store.
 *
 * <pre>{@code
 * StepHandler synthesize = ctx -> {
 *     Hits web = ctx.output("search-web", Hits.class);
 *     String topic = ctx.input().path("topic").asText();
 *     return new Summary(topic, web.items().size());
 * };
 * }</pre>
 */
public interface StepContext {

    String runId();

    String stepName();

    String graphName();

    int graphVersion();

    /** The attempt number, counting up over the life of the run (1 for the first attempt). */
    int attempt();

    /**
     * A key that is the same on every attempt of this step of this run, for idempotent calls to other
     * services (for example as an {@code Idempotency-Key} header). Uses only {@code [A-Za-z0-9_-]}.
     */
    String idempotencyKey();

    /** The run input. */
    JsonNode input();

    /** The run input mapped to {@code type} with Jackson. */
    <T> T input(Class<T> type);

    /**
     * The output of a dependency.
     *
     * @throws IllegalArgumentException when {@code step} is not a dependency of this step
     */
    JsonNode output(String step);

    /** The output of a dependency mapped to {@code type} with Jackson. */
    <T> T output(String step, Class<T> type);

    Artifacts artifacts();

    ToolRecorder tools();
}
