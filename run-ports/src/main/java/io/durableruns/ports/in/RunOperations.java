package io.durableruns.ports.in;

/**
 * Every use case of the engine in one interface, for adapters (such as the HTTP API) that expose them all.
 */
public interface RunOperations
        extends CreateRunUseCase,
                DeliverStepUseCase,
                RetryRunUseCase,
                CancelRunUseCase,
                QueryRunsUseCase,
                SweepUseCase,
                GraphCatalogUseCase {}
