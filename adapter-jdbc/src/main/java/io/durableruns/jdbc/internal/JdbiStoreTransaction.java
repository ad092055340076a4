package io.durableruns.jdbc.internal;

import io.durableruns.ports.model.FinishCommit;
import io.durableruns.ports.out.ArtifactRepository;
import io.durableruns.ports.out.GraphVersionRepository;
import io.durableruns.ports.out.IntentRepository;
import io.durableruns.ports.out.RunRepository;
import io.durableruns.ports.out.StoreTransaction;
import io.durableruns.ports.out.TimelineRepository;
import io.durableruns.ports.out.ToolCallRepository;
import org.jdbi.v3.core.Handle;

/** The repositories of one open transaction, all bound to one JDBI {@link Handle}. */
final class JdbiStoreTransaction implements StoreTransaction {
    private final Handle handle;
    private final StoreContext context;
    /**
     * The schema version whose server-side functions this transaction calls (PostgreSQL; 0 for none): see {@link
     * #commitFinish}.
     */
    private final int functions;

    private boolean open = true;

    private RunRepository runs;
    private JdbiStepRepository steps;
    private ArtifactRepository artifacts;
    private ToolCallRepository toolCalls;
    private TimelineRepository timeline;
    private IntentRepository intents;
    private GraphVersionRepository graphVersions;

    JdbiStoreTransaction(Handle handle, StoreContext context, int functions) {
        this.handle = handle;
        this.context = context;
        this.functions = functions;
    }

    /** The handle, while the transaction is open. */
    Handle handle() {
        if (!open) {
            throw new IllegalStateException(
                    "this transaction has ended: use the repositories only inside RunStore.inTransaction");
        }
        return handle;
    }

    StoreContext context() {
        return context;
    }

    void end() {
        open = false;
    }

    @Override
    public RunRepository runs() {
        if (runs == null) {
            runs = new JdbiRunRepository(this);
        }
        return runs;
    }

    @Override
    public JdbiStepRepository steps() {
        if (steps == null) {
            steps = new JdbiStepRepository(this);
        }
        return steps;
    }

    @Override
    public ArtifactRepository artifacts() {
        if (artifacts == null) {
            artifacts = new JdbiArtifactRepository(this);
        }
        return artifacts;
    }

    @Override
    public ToolCallRepository toolCalls() {
        if (toolCalls == null) {
            toolCalls = new JdbiToolCallRepository(this);
        }
        return toolCalls;
    }

    @Override
    public TimelineRepository timeline() {
        if (timeline == null) {
            timeline = new JdbiTimelineRepository(this);
        }
        return timeline;
    }

    @Override
    public IntentRepository intents() {
        if (intents == null) {
            intents = new JdbiIntentRepository(this);
        }
        return intents;
    }

    @Override
    public GraphVersionRepository graphVersions() {
        if (graphVersions == null) {
            graphVersions = new JdbiGraphVersionRepository(this);
        }
        return graphVersions;
    }

    /**
     * On PostgreSQL one call of a server-side function (migration V007) instead of five statements; on SQLite, and on
     * a PostgreSQL schema not migrated to V007 yet, the repositories' statements.
     */
    @Override
    public boolean commitFinish(FinishCommit finish) {
        return functions >= Migrator.FINISH_FUNCTION
                ? steps().commitFinish(finish)
                : StoreTransaction.super.commitFinish(finish);
    }
}
