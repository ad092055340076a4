package io.durableruns.ports.model;

import io.durableruns.ports.InvalidRequestException;

/**
 * Filters for listing runs. Any field may be {@code null}, meaning "any".
 *
 * <pre>{@code
 * RunFilter failedResearch = new RunFilter(RunStatus.FAILED, "research");
 * RunFilter byId = new RunFilter(null, null, "run_01jx3");
 * }</pre>
 *
 * @param idPrefix the beginning of the run ids to list ({@link Ids#RUN_ID_PREFIX}), such as a run id cut short
 */
public record RunFilter(RunStatus status, String graph, String idPrefix) {
    public RunFilter {
        if (idPrefix != null && !Ids.isRunIdPrefix(idPrefix)) {
            throw new InvalidRequestException("a run id prefix is 'run_' followed by up to 26 lower-case base-32"
                    + " characters of a run id, was '" + idPrefix + "'");
        }
    }

    public RunFilter(RunStatus status, String graph) {
        this(status, graph, null);
    }

    public static RunFilter any() {
        return new RunFilter(null, null, null);
    }
}
