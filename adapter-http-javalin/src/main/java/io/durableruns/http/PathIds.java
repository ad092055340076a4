package io.durableruns.http;

import io.durableruns.ports.model.Ids;
import io.javalin.http.Context;
import java.util.regex.Pattern;

/** Validates the ids and names in request paths before they reach the engine. */
final class PathIds {
    /** Artifact keys reachable over HTTP: one path segment such as {@code spec.md}. */
    static final Pattern ARTIFACT_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

    private PathIds() {}

    static String runId(Context ctx) {
        String id = ctx.pathParam("id");
        if (!Ids.isRunId(id)) {
            throw ApiException.badRequest(
                    "invalid_id",
                    "'" + clip(id) + "' is not a run id: run ids are 'run_'"
                            + " followed by 26 lower-case base-32 characters");
        }
        return id;
    }

    static String stepName(Context ctx) {
        String step = ctx.pathParam("step");
        if (!Ids.isName(step)) {
            throw ApiException.badRequest(
                    "invalid_id",
                    "'" + clip(step) + "' is not a step name: names match " + Ids.NAME.pattern() + " (at most "
                            + Ids.MAX_NAME_LENGTH + " characters)");
        }
        return step;
    }

    static String artifactKey(Context ctx) {
        String key = ctx.pathParam("key");
        if (!ARTIFACT_KEY.matcher(key).matches()) {
            throw ApiException.badRequest(
                    "invalid_id", "'" + clip(key) + "' is not an artifact key: keys match " + ARTIFACT_KEY.pattern());
        }
        return key;
    }

    /** Shortens a caller-supplied value before it is echoed in a message. */
    static String clip(String value) {
        if (value == null) {
            return "";
        }
        return value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
