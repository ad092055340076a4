package io.durableruns.jdbc.internal;

import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.out.ArtifactRepository;
import java.util.List;
import java.util.Optional;

/** Artifacts in SQL, unique per (run, step, key): a second insert of the same key changes nothing. */
final class JdbiArtifactRepository implements ArtifactRepository {
    private static final String INSERT = "INSERT INTO ${t}artifacts (run_id, step, artifact_key, content_type, content,"
            + " attempt, created_at) VALUES (:run_id, :step, :key, :content_type, :content, :attempt, :created_at)"
            + " ON CONFLICT (run_id, step, artifact_key) DO NOTHING";
    private static final String LIST_PG =
            "SELECT run_id, step, artifact_key, content_type, octet_length(content) AS size,"
                    + " created_at FROM ${t}artifacts WHERE run_id = :run_id ORDER BY step, artifact_key";
    private static final String LIST_SQLITE =
            "SELECT run_id, step, artifact_key, content_type, length(content) AS size,"
                    + " created_at FROM ${t}artifacts WHERE run_id = :run_id ORDER BY step, artifact_key";
    private static final String FIND = "SELECT run_id, step, artifact_key, content_type, content, attempt, created_at"
            + " FROM ${t}artifacts WHERE run_id = :run_id AND step = :step AND artifact_key = :key";

    private final JdbiStoreTransaction tx;
    private final StoreContext ctx;

    JdbiArtifactRepository(JdbiStoreTransaction tx) {
        this.tx = tx;
        this.ctx = tx.context();
    }

    @Override
    public boolean insertIfAbsent(ArtifactRecord artifact) {
        return tx.handle()
                        .createUpdate(ctx.sql(INSERT))
                        .bind("run_id", Args.text(artifact.runId()))
                        .bind("step", Args.text(artifact.step()))
                        .bind("key", Args.text(artifact.key()))
                        .bind("content_type", Args.text(artifact.contentType()))
                        .bind("content", Args.bytes(artifact.content()))
                        .bind("attempt", Args.integer(artifact.attempt()))
                        .bind("created_at", ctx.instant(artifact.createdAt()))
                        .execute()
                == 1;
    }

    @Override
    public List<ArtifactSummary> list(String runId) {
        String sql = ctx.dialect() == Dialect.POSTGRESQL ? LIST_PG : LIST_SQLITE;
        return tx.handle()
                .createQuery(ctx.sql(sql))
                .bind("run_id", Args.text(runId))
                .map((rs, c) -> new ArtifactSummary(
                        rs.getString("run_id"),
                        rs.getString("step"),
                        rs.getString("artifact_key"),
                        rs.getString("content_type"),
                        rs.getLong("size"),
                        ctx.instant(rs, "created_at")))
                .list();
    }

    @Override
    public Optional<ArtifactRecord> find(String runId, String step, String key) {
        return tx.handle()
                .createQuery(ctx.sql(FIND))
                .bind("run_id", Args.text(runId))
                .bind("step", Args.text(step))
                .bind("key", Args.text(key))
                .map((rs, c) -> new ArtifactRecord(
                        rs.getString("run_id"),
                        rs.getString("step"),
                        rs.getString("artifact_key"),
                        rs.getString("content_type"),
                        rs.getBytes("content"),
                        rs.getInt("attempt"),
                        ctx.instant(rs, "created_at")))
                .findOne();
    }
}
