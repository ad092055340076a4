package io.durableruns.ports.in;

import java.util.List;

/**
 * Starts runs.
 *
 * <pre>{@code
 * CreateRunResult r = runs.create(new CreateRunCommand("research", null, input, "req-42"));
 * String id = r.run().run().id();
 *
 * List<CreateRunResult> many = runs.createAll(documents.stream()
 *         .map(d -> CreateRunCommand.of("summarize", d))
 *         .toList());
 * }</pre>
 */
public interface CreateRunUseCase {
    /** The most runs one {@link #createAll} call creates. */
    int MAX_RUNS_PER_CALL = 1_000;

    /**
     * Creates a run in one transaction (the run, its steps, its first timeline events and the dispatch
     * intents of its root steps).
     *
     * @throws io.durableruns.ports.GraphNotFoundException when the graph or version is not registered
     * @throws io.durableruns.ports.IdempotencyConflictException when the key was used for another request
     */
    CreateRunResult create(CreateRunCommand command);

    /**
     * Creates the runs in one transaction, all of them or none: what {@link #create} does for one command, for
     * up to {@link #MAX_RUNS_PER_CALL} of them at the cost of one commit. The results are in the order of the
     * commands. A command whose idempotency key was used for the same request gets the earlier run (also when
     * the earlier command is in the same list), as {@link #create} would; when any command fails, nothing is
     * written and the call throws that command's exception.
     *
     * @throws IllegalArgumentException when the list holds more than {@link #MAX_RUNS_PER_CALL} commands or a
     *     {@code null}
     * @throws io.durableruns.ports.GraphNotFoundException when a graph or version is not registered
     * @throws io.durableruns.ports.IdempotencyConflictException when a key was used for another request, earlier
     *     or in the same list
     */
    List<CreateRunResult> createAll(List<CreateRunCommand> commands);
}
