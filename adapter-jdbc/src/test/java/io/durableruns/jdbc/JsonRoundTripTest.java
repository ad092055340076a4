package io.durableruns.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.ToolCallRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** JSON written through the store reads back equal, in jsonb (PostgreSQL) and text (SQLite) columns. */
class JsonRoundTripTest {
    @RegisterExtension
    static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-02-03T04:05:06.789012Z");
    private static final List<String> DOCUMENTS = List.of(
            "{\"b\":1,\"a\":{\"nested\":[1,2,{\"deep\":null}]},\"text\":\"caf\\u00e9 \\u2603 \\\"quoted\\\" \\n\"}",
            "[1, -2.5, 1.0E-7, 12345678901, true, false, null, \"\"]",
            "\"just a string\"",
            "42",
            "null",
            "{}",
            "{\"emoji\":\"\\ud83d\\ude80\",\"long\":9007199254740993}");

    @TempDir
    static Path folder;

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static void assertRoundTrips(JdbcRunStore store) throws Exception {
        for (int i = 0; i < DOCUMENTS.size(); i++) {
            JsonNode doc = json(DOCUMENTS.get(i));
            String id = String.format("run_%026d", i);
            RunRecord run = new RunRecord(id, "g", 1, RunStatus.SUCCEEDED, doc, doc, "key-" + i, 0, T0, T0, T0);
            StepRecord step = new StepRecord(
                    id, "s", StepStatus.SUCCEEDED, 1, 0, 0, List.of("x", "y"), null, null, null, T0, T0, doc, null, T0);
            ToolCallRecord call = new ToolCallRecord(id, "s", 1, "tool", doc, doc, null, T0, 5);
            store.inTransaction(tx -> {
                tx.runs().insert(run);
                tx.steps().insertAll(List.of(step));
                tx.toolCalls().insertAll(List.of(call));
                return null;
            });
            assertThat(store.inTransaction(tx -> tx.runs().find(id)).orElseThrow())
                    .isEqualTo(run);
            assertThat(store.inTransaction(tx -> tx.steps().find(id, "s")).orElseThrow())
                    .isEqualTo(step);
            List<ToolCallRecord> calls =
                    store.inTransaction(tx -> tx.toolCalls().findByRun(id));
            assertThat(calls).containsExactly(call);
        }
    }

    @Test
    void postgresql_jsonb_round_trips() throws Exception {
        assertRoundTrips(DATABASE.openStore());
    }

    @Test
    void sqlite_text_round_trips() throws Exception {
        try (JdbcRunStore store = JdbcRunStore.sqlite(folder.resolve("json.db"), JdbcOptions.defaults())) {
            assertRoundTrips(store);
        }
    }
}
