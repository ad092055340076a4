package io.durableruns.http;

import io.durableruns.ports.model.Ids;
import io.javalin.http.Context;

/** Validates the ids and names in request paths before they reach the engine. */
final class PathIds {
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
        if (!Ids.isArtifactKey(key)) {
            throw ApiException.badRequest(
                    "invalid_id",
                    "'" + clip(key) + "' is not an artifact key: keys match " + Ids.ARTIFACT_KEY.pattern());
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
