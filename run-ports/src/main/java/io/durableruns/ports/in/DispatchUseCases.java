package io.durableruns.ports.in;

/**
 * The use cases a dispatcher drives, whatever its transport: claiming and running due steps (pull), taking intents
 * to publish (push), sweeping, and the graph catalog (a push transport derives message settings, such as the
 * delivery timeout, from a step's definition).
 */
public interface DispatchUseCases extends StepWorkerUseCase, OutboxUseCase, SweepUseCase, GraphCatalogUseCase {}
