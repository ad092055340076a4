package io.durableruns.ports.in;

/**
 * Starts runs.
 *
 * <pre>{@code
 * CreateRunResult r = runs.create(new CreateRunCommand("research", null, input, "req-42"));
 * String id = r.run().run().id();
 * }</pre>
 */
public interface CreateRunUseCase {
    /**
     * Creates a run in one transaction (the run, its steps, its first timeline events and the dispatch
     * intents of its root steps).
     *
     * @throws io.durableruns.ports.GraphNotFoundException when the graph or version is not registered
     * @throws io.durableruns.ports.IdempotencyConflictException when the key was used for another request
     */
    CreateRunResult create(CreateRunCommand command);
}
