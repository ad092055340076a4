package io.durableruns.ports.model;

import java.time.Duration;
import java.util.List;

/** One step of a graph version: its name, dependencies, retry policy and timeout. */
public record StepDescription(String name, List<String> dependsOn, RetryPolicyDescription retry, Duration timeout) {
    public StepDescription {
        dependsOn = List.copyOf(dependsOn);
    }
}
