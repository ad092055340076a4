package io.durableruns.ports.model;

import java.util.List;

/**
 * One page of runs, newest first.
 *
 * @param nextCursor an opaque cursor for the next page, or {@code null} on the last page
 */
public record RunPage(List<RunRecord> runs, String nextCursor) {
    public RunPage {
        runs = List.copyOf(runs);
    }
}
