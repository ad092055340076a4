package io.durableruns.ports.model;

import java.util.List;
import java.util.Optional;

/**
 * A registered graph version as adapters render it. Steps are listed in a topological order.
 *
 * @param fingerprint a stable hash of the structure (names, dependencies, policies, timeouts)
 */
public record GraphDescription(String name, int version, String fingerprint, List<StepDescription> steps) {
    public GraphDescription {
        steps = List.copyOf(steps);
    }

    public Optional<StepDescription> step(String stepName) {
        return steps.stream().filter(s -> s.name().equals(stepName)).findFirst();
    }
}
