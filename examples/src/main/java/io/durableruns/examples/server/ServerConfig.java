package io.durableruns.examples.server;

import java.util.Map;

/**
 * The standalone server's settings, read from environment variables. Secrets are kept out of
 * {@link #toString()}.
 *
 * @param port {@code PORT} (default 7070)
 * @param databaseUrl {@code DATABASE_URL}: {@code jdbc:postgresql://...}, {@code postgres://user:pass@host/db} or
 *     {@code jdbc:sqlite:path} (default {@code jdbc:sqlite:./data/runs.db})
 * @param workers {@code RUNS_WORKERS}: local dispatcher threads (default 8)
 * @param prefetch {@code RUNS_PREFETCH}: steps a commit of the local dispatcher may claim beyond its worker's own
 *     (default 0; see {@code Dispatcher.Builder#prefetch}); refused with QStash
 * @param apiToken {@code RUNS_API_TOKEN}: bearer token of the management API; without it the server binds
 *     127.0.0.1 only
 * @param host {@code RUNS_HOST}: the address to bind when a token is set (default 0.0.0.0)
 * @param qstash whether {@code QSTASH_TOKEN} is set: steps are then dispatched through QStash
 */
record ServerConfig(
        int port,
        String databaseUrl,
        int workers,
        int prefetch,
        String apiToken,
        String host,
        boolean qstash,
        Map<String, String> environment) {

    static final String DEFAULT_DATABASE_URL = "jdbc:sqlite:./data/runs.db";

    static ServerConfig fromEnvironment(Map<String, String> env) {
        int port = intVar(env, "PORT", 7070, 0, 65535);
        String db = blankToNull(env.get("DATABASE_URL"));
        int workers = intVar(env, "RUNS_WORKERS", 8, 1, 512);
        String token = blankToNull(env.get("RUNS_API_TOKEN"));
        String host = blankToNull(env.get("RUNS_HOST"));
        int prefetch = intVar(env, "RUNS_PREFETCH", 0, 0, 512);
        boolean qstash = blankToNull(env.get("QSTASH_TOKEN")) != null;
        if (qstash && prefetch > 0) {
            throw new IllegalArgumentException("RUNS_PREFETCH applies to the local dispatcher; with QSTASH_TOKEN set,"
                    + " QStash delivers each step and nothing is claimed ahead: unset RUNS_PREFETCH");
        }
        return new ServerConfig(
                port, db == null ? DEFAULT_DATABASE_URL : db, workers, prefetch, token, host, qstash, Map.copyOf(env));
    }

    private static int intVar(Map<String, String> env, String name, int defaultValue, int min, int max) {
        String raw = blankToNull(env.get(name));
        if (raw == null) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(raw.trim());
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + " must be an integer from " + min + " to " + max + ", was '" + raw + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The database URL without user information or password, for logs. */
    String redactedDatabaseUrl() {
        return databaseUrl.replaceAll("//[^/@]*@", "//***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    @Override
    public String toString() {
        return "ServerConfig[port=" + port + ", database=" + redactedDatabaseUrl() + ", workers=" + workers
                + ", prefetch=" + prefetch + ", apiToken=" + (apiToken == null ? "none" : "set") + ", qstash=" + qstash
                + "]";
    }
}
