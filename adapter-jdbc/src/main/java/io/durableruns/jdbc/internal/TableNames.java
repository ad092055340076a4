package io.durableruns.jdbc.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the tables live: an optional PostgreSQL schema and a table prefix. Both are validated so that they
 * can be pasted into SQL text safely.
 */
public final class TableNames {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,39}");
    private static final Pattern PREFIX = Pattern.compile("([a-z_][a-z0-9_]{0,29})?");

    private final String schema;
    private final String prefix;

    public TableNames(String schema, String prefix) {
        if (schema != null && !IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException(
                    "schema must match [a-z_][a-z0-9_]* (at most 40 characters), was '" + schema + "'");
        }
        Objects.requireNonNull(prefix, "tablePrefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                    "tablePrefix must be empty or match [a-z_][a-z0-9_]* (at most 30 characters), was '" + prefix
                            + "'");
        }
        this.schema = schema;
        this.prefix = prefix;
    }

    /** The schema, or {@code null} for the connection's default (its search path). */
    public String schema() {
        return schema;
    }

    public String prefix() {
        return prefix;
    }

    /** The text that goes before a table name: {@code "schema".prefix} or just the prefix. */
    public String qualifier() {
        return schemaQualifier() + prefix;
    }

    /** {@code "schema".} or the empty string. */
    public String schemaQualifier() {
        return schema == null ? "" : "\"" + schema + "\".";
    }

    /** A qualified table name, such as {@code "runs_test".dr_runs}. */
    public String table(String name) {
        return qualifier() + name;
    }

    /** The name of the PostgreSQL notification channel on which intent inserts are announced. */
    public String notifyChannel() {
        return (schema == null ? "" : schema + "_") + prefix + "intents";
    }

    /** A stable key for PostgreSQL advisory locks that guard schema migrations of these tables. */
    public long migrationLockKey() {
        long hash = 0xcbf29ce484222325L;
        String key = "durableruns.migrate:" + (schema == null ? "" : schema) + ":" + prefix;
        for (byte b : key.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    @Override
    public String toString() {
        return schema == null ? "tables '" + prefix + "*'" : "schema " + schema + ", tables '" + prefix + "*'";
    }
}
