package io.durableruns.ports.in;

import io.durableruns.ports.InvalidRequestException;
import io.durableruns.ports.model.RunFilter;

/**
 * A page request for the run listing, newest first.
 *
 * @param cursor the opaque {@code nextCursor} of the previous page, or {@code null} for the first page
 */
public record RunListQuery(RunFilter filter, int limit, String cursor) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    public RunListQuery {
        filter = filter == null ? RunFilter.any() : filter;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequestException("'limit' must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    public static RunListQuery firstPage() {
        return new RunListQuery(RunFilter.any(), DEFAULT_LIMIT, null);
    }
}
