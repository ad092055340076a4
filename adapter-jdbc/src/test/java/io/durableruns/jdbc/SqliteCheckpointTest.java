package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.jdbc.internal.SqliteCheckpointer;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On SQLite, the write-ahead log is copied into the database file by the store's checkpointer, not by commits. */
class SqliteCheckpointTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    /** SQLite's own automatic checkpoint fires at 1,000 pages of log. */
    private static final int AUTOMATIC_CHECKPOINT_PAGES = 1_000;

    @TempDir
    Path dir;

    private final AtomicInteger ids = new AtomicInteger();

    /** A run whose input fills about two pages, so that every run adds pages to the log. */
    private RunRecord bigRun() {
        ObjectNode input = JsonNodeFactory.instance.objectNode().put("text", "x".repeat(6_000));
        String id = "run_%026d".formatted(ids.incrementAndGet());
        return new RunRecord(id, "g", 1, RunStatus.QUEUED, input, null, null, 1, T0, T0, null);
    }

    private void insertRuns(JdbcRunStore store, int transactions, int runsEach) {
        for (int t = 0; t < transactions; t++) {
            store.inTransaction(tx -> {
                for (int r = 0; r < runsEach; r++) {
                    tx.runs().insert(bigRun());
                }
                return null;
            });
        }
    }

    @Test
    void commits_leave_the_log_to_the_checkpointer_which_copies_all_of_it() throws Exception {
        JdbcOptions options = JdbcOptions.newBuilder()
                .sqliteCheckpointInterval(Duration.ofHours(24))
                .build();
        try (JdbcRunStore store = JdbcRunStore.sqlite(dir.resolve("runs.db"), options)) {
            SqliteCheckpointer checkpointer = store.checkpointer();
            checkpointer.checkpoint(); // what opening the store wrote (the migrations)
            insertRuns(store, 1, 1); // the log starts again from its beginning

            insertRuns(store, 30, 50);

            SqliteCheckpointer.Result copied = checkpointer.checkpoint();
            // No commit copied the log: it holds every page written since the first checkpoint above.
            assertThat(copied.logFrames()).isGreaterThan(2 * AUTOMATIC_CHECKPOINT_PAGES);
            assertThat(copied.complete()).isTrue();

            insertRuns(store, 1, 1);
            SqliteCheckpointer.Result restarted = checkpointer.checkpoint();
            assertThat(restarted.logFrames()).isLessThan(20);
            Optional<RunRecord> last = store.read(tx -> tx.runs().find("run_%026d".formatted(ids.get())));
            assertThat(last).isPresent();
        }
    }

    @Test
    void a_log_written_to_without_a_pause_is_still_restarted() throws Exception {
        // The rounds run here, one right after the other, rather than on the store's timer: a round that starts late
        // because the machine is busy must not count against the checkpointer.
        JdbcOptions options = JdbcOptions.newBuilder()
                .sqliteCheckpointInterval(Duration.ofHours(24))
                .build();
        Path file = dir.resolve("runs.db");
        AtomicLong largestLog = new AtomicLong();
        try (JdbcRunStore store = JdbcRunStore.sqlite(file, options)) {
            // About 44 MB of log, one transaction right after the other.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (int round = 0; round < 60; round++) {
                    insertRuns(store, 5, 10);
                    try {
                        largestLog.accumulateAndGet(Files.size(file.resolveSibling("runs.db-wal")), Math::max);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            while (!writer.isDone()) {
                store.checkpointer().checkpoint();
            }
            writer.get();
            Optional<RunRecord> last = store.read(tx -> tx.runs().find("run_%026d".formatted(ids.get())));
            assertThat(last).isPresent();
        }
        // The log file keeps the size of its longest stretch between restarts: 1,000 pages (4 MB) and the commits
        // made during a round, against the whole 44 MB when it is never restarted.
        assertThat(largestLog.get()).isLessThan(12L * 1024 * 1024);
    }

    @Test
    void an_interval_outside_one_millisecond_to_a_day_is_refused() {
        for (Duration interval : new Duration[] {
            Duration.ZERO, Duration.ofNanos(999_999), Duration.ofDays(1).plusMillis(1)
        }) {
            assertThatThrownBy(() -> JdbcOptions.newBuilder()
                            .sqliteCheckpointInterval(interval)
                            .build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sqliteCheckpointInterval must be between 1 ms and 24 hours");
        }
    }
}
