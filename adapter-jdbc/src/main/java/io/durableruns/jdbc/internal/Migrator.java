package io.durableruns.jdbc.internal;

import io.durableruns.ports.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the numbered SQL files of a dialect ({@code db/<dialect>/V001__create_tables.sql}, ...) that the
 * database has not seen yet, and records them in a {@code schema_history} table. All pending migrations are
 * applied in one transaction. On PostgreSQL that transaction first takes an advisory lock derived from the schema
 * and table prefix, so that processes starting at once apply each migration exactly once; on SQLite
 * {@code BEGIN IMMEDIATE} serializes them.
 *
 * <p>The files use two placeholders, {@code ${schema}} (empty, or a quoted schema name and a dot) and
 * {@code ${prefix}} (the table prefix), so that they can also be applied by another migration tool.
 */
public final class Migrator {
    private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);

    /** The migration that creates the chain link functions (PostgreSQL): see {@code RunStore.commitLink}. */
    public static final int LINK_FUNCTIONS = 6;
    /** The migration that creates the finish function (PostgreSQL): see {@code StoreTransaction.commitFinish}. */
    public static final int FINISH_FUNCTION = 7;

    /** Every migration, in order. A released migration is never edited: add a new one. */
    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "create_tables"),
            new Migration(2, "dispatch_attempts_and_leases"),
            new Migration(3, "runs_graph_status_index"),
            new Migration(4, "hot_step_updates"),
            new Migration(5, "timeline_run_primary_key"),
            new Migration(6, "commit_link_function"),
            new Migration(7, "commit_finish_function"));

    private static final String HISTORY_PG =
            "CREATE TABLE IF NOT EXISTS ${t}schema_history (version integer PRIMARY KEY,"
                    + " description text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL)";
    private static final String HISTORY_SQLITE =
            "CREATE TABLE IF NOT EXISTS ${t}schema_history (version INTEGER PRIMARY"
                    + " KEY, description TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)";
    private static final String APPLIED = "SELECT version, checksum FROM ${t}schema_history";
    private static final String RECORD = "INSERT INTO ${t}schema_history (version, description, checksum, applied_at)"
            + " VALUES (:version, :description, :checksum, :applied_at)";
    private static final String CURRENT = "SELECT max(version) FROM ${t}schema_history";

    private final StoreContext context;

    public Migrator(StoreContext context) {
        this.context = context;
    }

    /** How many migrations this library has (their numbers may leave gaps). */
    public static int migrationCount() {
        return MIGRATIONS.size();
    }

    /** The version the newest migration of this library brings the schema to. */
    public static int latestVersion() {
        return MIGRATIONS.get(MIGRATIONS.size() - 1).version();
    }

    /**
     * Applies the pending migrations.
     *
     * @return how many were applied
     */
    public int migrate(Jdbi jdbi) {
        try (Handle handle = jdbi.open()) {
            return context.dialect() == Dialect.POSTGRESQL ? migratePostgres(handle) : migrateSqlite(handle);
        } catch (RuntimeException e) {
            throw StoreErrors.translate(e, context.dialect(), "migrate the schema (" + context.names() + ")");
        }
    }

    /** The version of the schema, or empty when the history table does not exist. */
    public Optional<Integer> currentVersion(Handle handle) {
        try {
            Integer version = handle.createQuery(context.sql(CURRENT))
                    .mapTo(Integer.class)
                    .one();
            return Optional.of(version == null ? 0 : version);
        } catch (RuntimeException e) {
            if (StoreErrors.isDatabaseError(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private int migratePostgres(Handle handle) {
        handle.begin();
        try {
            handle.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
            handle.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:key)) AS locked")
                    .bind("key", context.names().migrationLockKey())
                    .mapTo(Integer.class)
                    .one();
            if (context.names().schema() != null) {
                handle.execute(
                        "CREATE SCHEMA IF NOT EXISTS \"" + context.names().schema() + "\"");
            }
            int applied = applyPending(handle, HISTORY_PG);
            handle.commit();
            return applied;
        } catch (RuntimeException e) {
            handle.rollback();
            throw e;
        }
    }

    private int migrateSqlite(Handle handle) {
        handle.execute("BEGIN IMMEDIATE");
        try {
            int applied = applyPending(handle, HISTORY_SQLITE);
            handle.execute("COMMIT");
            return applied;
        } catch (RuntimeException e) {
            handle.execute("ROLLBACK");
            throw e;
        }
    }

    private int applyPending(Handle handle, String historyDdl) {
        handle.execute(context.sql(historyDdl));
        Map<Integer, String> applied = handle
                .createQuery(context.sql(APPLIED))
                .map((rs, c) -> Map.entry(rs.getInt("version"), rs.getString("checksum")))
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        int count = 0;
        for (Migration migration : MIGRATIONS) {
            String template = read(migration);
            String checksum = checksum(template);
            String recorded = applied.get(migration.version());
            if (recorded != null) {
                if (!recorded.equals(checksum)) {
                    throw new StoreException("migration " + migration.file() + " differs from the one applied to "
                            + context.names() + " (checksum " + recorded + ", now " + checksum + "): a released"
                            + " migration must never change; restore it and add a new migration instead");
                }
                continue;
            }
            for (String statement : statements(render(template))) {
                handle.execute(statement);
            }
            handle.createUpdate(context.sql(RECORD))
                    .bind("version", migration.version())
                    .bind("description", migration.description())
                    .bind("checksum", checksum)
                    .bind("applied_at", context.instant(Instant.now()))
                    .execute();
            LOG.info(
                    "Applied {} migration {} to {}",
                    context.dialect().displayName(),
                    migration.file(),
                    context.names());
            count++;
        }
        int newest = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        if (newest > latestVersion()) {
            LOG.warn(
                    "The {} schema ({}) is at version {}, newer than this library's {}: it was migrated by a newer"
                            + " release",
                    context.dialect().displayName(),
                    context.names(),
                    newest,
                    latestVersion());
        }
        return count;
    }

    private String read(Migration migration) {
        String path = context.dialect().migrationFolder() + "/" + migration.file();
        try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new StoreException("migration " + path + " is missing from the classpath; the adapter-jdbc jar"
                        + " is incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new StoreException("could not read migration " + path + ": " + e.getMessage(), e);
        }
    }

    private String render(String template) {
        return template.replace("${schema}", context.names().schemaQualifier())
                .replace("${prefix}", context.names().prefix());
    }

    static String checksum(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }

    /**
     * Splits a migration into statements: comment lines dropped, split at semicolons outside {@code $$} quotes (a
     * function's body); no semicolon occurs in a literal.
     */
    static List<String> statements(String script) {
        String code =
                script.lines().filter(line -> !line.strip().startsWith("--")).collect(Collectors.joining("\n"));
        List<String> statements = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < code.length(); i++) {
            if (code.startsWith("$$", i)) {
                quoted = !quoted;
                i++;
            } else if (code.charAt(i) == ';' && !quoted) {
                add(statements, code.substring(start, i));
                start = i + 1;
            }
        }
        add(statements, code.substring(start));
        return statements;
    }

    private static void add(List<String> statements, String part) {
        if (!part.isBlank()) {
            statements.add(part.strip());
        }
    }

    /** One numbered migration file. */
    record Migration(int version, String description) {
        String file() {
            return String.format("V%03d__%s.sql", version, description);
        }
    }
}
