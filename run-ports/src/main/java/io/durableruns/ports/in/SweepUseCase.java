package io.durableruns.ports.in;

import io.durableruns.ports.model.SweepResult;

/**
 * Recovers work that nobody will finish otherwise: steps whose lease expired (their executor died) and
 * ready steps left without a dispatch intent. Safe to call from several processes at once.
 */
public interface SweepUseCase {
    SweepResult sweep();
}
