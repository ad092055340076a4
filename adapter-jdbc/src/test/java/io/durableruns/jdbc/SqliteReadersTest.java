package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.durableruns.ports.StoreException;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On SQLite, reads run on read-only connections beside the single writer. */
class SqliteReadersTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;

    private static RunRecord run(String id) {
        return new RunRecord(
                id, "g", 1, RunStatus.QUEUED, JsonNodeFactory.instance.objectNode(), null, null, 1, T0, T0, null);
    }

    @Test
    void a_read_completes_while_a_writer_holds_the_write_lock_and_sees_only_committed_rows() throws Exception {
        try (JdbcRunStore store = JdbcRunStore.sqlite(dir.resolve("runs.db"), JdbcOptions.defaults())) {
            String committed = "run_00000000000000000000000001";
            String pending = "run_00000000000000000000000002";
            store.inTransaction(tx -> {
                tx.runs().insert(run(committed));
                return null;
            });
            CountDownLatch inserted = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> store.inTransaction(tx -> {
                tx.runs().insert(run(pending));
                inserted.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
            assertThat(inserted.await(30, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Optional<RunRecord>> read = CompletableFuture.supplyAsync(
                    () -> store.read(tx -> tx.runs().find(committed)));
            CompletableFuture<Optional<RunRecord>> uncommitted = CompletableFuture.supplyAsync(
                    () -> store.read(tx -> tx.runs().find(pending)));
            assertThat(read.get(10, TimeUnit.SECONDS)).isPresent();
            assertThat(uncommitted.get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(writer).isNotDone();

            release.countDown();
            writer.get(30, TimeUnit.SECONDS);
            Optional<RunRecord> afterCommit = store.read(tx -> tx.runs().find(pending));
            assertThat(afterCommit).isPresent();
        }
    }

    @Test
    void a_read_cannot_write() {
        try (JdbcRunStore store = JdbcRunStore.sqlite(dir.resolve("runs.db"), JdbcOptions.defaults())) {
            assertThatThrownBy(() -> store.read(tx -> {
                        tx.runs().insert(run("run_00000000000000000000000003"));
                        return null;
                    }))
                    .isInstanceOf(StoreException.class);
            Optional<RunRecord> written = store.inTransaction(tx -> tx.runs().find("run_00000000000000000000000003"));
            assertThat(written).isEmpty();
        }
    }
}
