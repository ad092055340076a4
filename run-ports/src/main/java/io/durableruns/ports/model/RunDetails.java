package io.durableruns.ports.model;

import java.util.List;
import java.util.Optional;

/** A run with its steps (in the graph's topological order). */
public record RunDetails(RunRecord run, List<StepRecord> steps) {
    public RunDetails {
        steps = List.copyOf(steps);
    }

    public Optional<StepRecord> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
