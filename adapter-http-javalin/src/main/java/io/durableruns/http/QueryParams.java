package io.durableruns.http;

import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.model.Ids;
import io.durableruns.ports.model.RunStatus;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Validates the query parameters of the listing routes before they reach the engine. */
final class QueryParams {
    private QueryParams() {}

    static RunStatus status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return RunStatus.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "'status' must be one of "
                            + Arrays.stream(RunStatus.values()).map(Enum::name).collect(Collectors.joining(", "))
                            + ", was '" + PathIds.clip(value) + "'");
        }
    }

    static String graph(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!Ids.isName(value)) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "'graph' must be a graph name matching " + Ids.NAME.pattern() + ", was '" + PathIds.clip(value)
                            + "'");
        }
        return value;
    }

    /**
     * A run id or its beginning, as a person pastes it: case and surrounding blanks do not matter and the
     * {@code run_} prefix may be left out.
     */
    static String runIdPrefix(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String id = value.trim().toLowerCase(Locale.ROOT);
        if (!id.startsWith("run_")) {
            id = "run_" + id;
        }
        if (!Ids.isRunIdPrefix(id)) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "'id' must be a run id or its beginning (run_ and up to 26 base-32 characters), was '"
                            + PathIds.clip(value) + "'");
        }
        return id;
    }

    static int limit(String value) {
        if (value == null || value.isBlank()) {
            return RunListQuery.DEFAULT_LIMIT;
        }
        int limit = parseIntOr(value.trim(), 0);
        if (limit < 1 || limit > RunListQuery.MAX_LIMIT) {
            throw ApiException.badRequest(
                    "invalid_request",
                    "'limit' must be an integer from 1 to " + RunListQuery.MAX_LIMIT + ", was '" + PathIds.clip(value)
                            + "'");
        }
        return limit;
    }

    private static int parseIntOr(String value, int fallback) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
