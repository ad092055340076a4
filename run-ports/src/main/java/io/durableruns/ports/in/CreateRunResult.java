package io.durableruns.ports.in;

import io.durableruns.ports.model.RunDetails;

/**
 * The run a create request resolved to.
 *
 * @param created {@code false} when an earlier request with the same idempotency key created it
 */
public record CreateRunResult(RunDetails run, boolean created) {}
