package io.durableruns.ports.model;

/**
 * Filters for listing runs. Either field may be {@code null}, meaning "any".
 */
public record RunFilter(RunStatus status, String graph) {
    public static RunFilter any() {
        return new RunFilter(null, null);
    }
}
