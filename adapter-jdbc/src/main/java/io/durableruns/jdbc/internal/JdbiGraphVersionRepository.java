package io.durableruns.jdbc.internal;

import io.durableruns.ports.model.GraphVersionRecord;
import io.durableruns.ports.out.GraphVersionRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The graph versions this database has seen, with their fingerprints. */
final class JdbiGraphVersionRepository implements GraphVersionRepository {
    private static final String COLUMNS = "name, version, fingerprint, description, created_at";
    private static final String FIND =
            "SELECT " + COLUMNS + " FROM ${t}graph_versions WHERE name = :name" + " AND version = :version";
    private static final String INSERT = "INSERT INTO ${t}graph_versions (" + COLUMNS + ") VALUES (:name, :version,"
            + " :fingerprint, CAST(:description AS ${json}), :created_at) ON CONFLICT (name, version) DO NOTHING";
    private static final String LIST = "SELECT " + COLUMNS + " FROM ${t}graph_versions ORDER BY name, version";

    private final JdbiStoreTransaction tx;
    private final StoreContext ctx;

    JdbiGraphVersionRepository(JdbiStoreTransaction tx) {
        this.tx = tx;
        this.ctx = tx.context();
    }

    @Override
    public Optional<GraphVersionRecord> find(String name, int version) {
        return tx.handle()
                .createQuery(ctx.sql(FIND))
                .bind("name", Args.text(name))
                .bind("version", Args.integer(version))
                .map((rs, c) -> map(rs))
                .findOne();
    }

    @Override
    public boolean insertIfAbsent(GraphVersionRecord record) {
        return tx.handle()
                        .createUpdate(ctx.sql(INSERT))
                        .bind("name", Args.text(record.name()))
                        .bind("version", Args.integer(record.version()))
                        .bind("fingerprint", Args.text(record.fingerprint()))
                        .bind("description", Args.text(ctx.json(record.description())))
                        .bind("created_at", ctx.instant(record.createdAt()))
                        .execute()
                == 1;
    }

    @Override
    public List<GraphVersionRecord> list() {
        return tx.handle().createQuery(ctx.sql(LIST)).map((rs, c) -> map(rs)).list();
    }

    private GraphVersionRecord map(ResultSet rs) throws SQLException {
        return new GraphVersionRecord(
                rs.getString("name"),
                rs.getInt("version"),
                rs.getString("fingerprint"),
                ctx.json(rs, "description"),
                ctx.instant(rs, "created_at"));
    }
}
