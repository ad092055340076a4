package io.durableruns.ports.model;

import java.util.regex.Pattern;

/** The shapes of identifiers that travel in URLs and messages. */
public final class Ids {
    /** A run id: {@code run_} followed by 26 lowercase Crockford base-32 characters (time-ordered). */
    public static final Pattern RUN_ID = Pattern.compile("run_[0-9a-hjkmnp-tv-z]{26}");

    /**
     * The beginning of a run id, for searching runs by a partial id: {@code run_} followed by up to 26 of the
     * id's characters.
     */
    public static final Pattern RUN_ID_PREFIX = Pattern.compile("run_[0-9a-hjkmnp-tv-z]{0,26}");

    /** A graph or step name. Names appear in URLs, ids and deduplication ids. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    /** The longest graph or step name. */
    public static final int MAX_NAME_LENGTH = 64;

    /**
     * An artifact key: one path segment such as {@code spec.md}, so that every artifact can be fetched by URL
     * ({@code /api/runs/{id}/artifacts/{step}/{key}}).
     */
    public static final Pattern ARTIFACT_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private Ids() {}

    public static boolean isRunId(String s) {
        return s != null && RUN_ID.matcher(s).matches();
    }

    public static boolean isRunIdPrefix(String s) {
        return s != null && RUN_ID_PREFIX.matcher(s).matches();
    }

    public static boolean isArtifactKey(String s) {
        return s != null && ARTIFACT_KEY.matcher(s).matches();
    }

    public static boolean isName(String s) {
        return s != null && s.length() <= MAX_NAME_LENGTH && NAME.matcher(s).matches();
    }
}
