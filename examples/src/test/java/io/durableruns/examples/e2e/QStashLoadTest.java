package io.durableruns.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.examples.server.RunsServer;
import io.durableruns.qstash.QStashEmulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server in QStash mode under load, behind the emulator with duplicate deliveries, random order and
 * 10% of publishes failing: 200 {@code research} runs, each with one retryable failure, on SQLite and PostgreSQL.
 * Every run succeeds with one {@code spec.md}; none waits longer than its backoffs plus 5 s; the sweeper never has
 * to recover anything (each attempt is its own message, so duplicates, reordering and failed publishes are absorbed
 * by deduplication and republishing, not by the sweeper).
 */
class QStashLoadTest {
    static final int RUNS = 200;
    static final Duration SLACK = Duration.ofSeconds(5);
    private static final Pattern RECOVERIES = Pattern.compile("durableruns_sweep_recoveries_total\\{[^}]*} ([0-9.E]+)");

    @TempDir
    Path dir;

    private QStashEmulator emulator;
    private RunsServer server;
    private String postgresUrl;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (emulator != null) {
            emulator.close();
        }
        if (postgresUrl != null) {
            TestPostgres.dropSchemaOf(postgresUrl);
        }
    }

    @Test
    void two_hundred_runs_with_a_retry_each_finish_on_time_on_sqlite_without_the_sweeper() throws Exception {
        finishOnTime("jdbc:sqlite:" + dir.resolve("runs.db"));
    }

    @Test
    void two_hundred_runs_with_a_retry_each_finish_on_time_on_postgresql_without_the_sweeper() throws Exception {
        postgresUrl = TestPostgres.freshSchemaUrl("qload");
        finishOnTime(postgresUrl);
    }

    private void finishOnTime(String databaseUrl) throws Exception {
        emulator = QStashEmulator.newBuilder()
                .port(0)
                .seed(23)
                .duplicateDeliveries(true)
                .randomOrder(true)
                .failPublishFraction(0.1)
                .start();
        int port = freePort();
        server = RunsServer.start(environment(emulator, databaseUrl, port));
        Http http = new Http(port);

        List<String> ids = createPaced(http, RUNS, Duration.ofMillis(50));
        List<JsonNode> runs = awaitFinished(http, ids, Duration.ofMinutes(3));

        Duration slowest = Duration.ZERO;
        for (JsonNode run : runs) {
            String id = run.path("id").asText();
            assertThat(run.path("status").asText()).as(id).isEqualTo("SUCCEEDED");
            JsonNode artifacts =
                    http.get("/api/runs/" + id + "/artifacts").json().path("artifacts");
            assertThat(artifacts).as(id).hasSize(1);
            assertThat(artifacts.get(0).path("key").asText()).isEqualTo("spec.md");
            Duration backoffs = Duration.ZERO;
            for (JsonNode event :
                    http.get("/api/runs/" + id + "/timeline").json().path("events")) {
                if (event.path("type").asText().equals("STEP_RETRY_SCHEDULED")) {
                    backoffs = backoffs.plusMillis(
                            event.path("data").path("backoffMs").asLong());
                }
            }
            assertThat(backoffs).as("%s had its one retry", id).isPositive();
            Duration took = Duration.between(
                    Instant.parse(run.path("createdAt").asText()),
                    Instant.parse(run.path("finishedAt").asText()));
            assertThat(took)
                    .as("%s took longer than its backoffs (%s) plus %s", id, backoffs, SLACK)
                    .isLessThanOrEqualTo(backoffs.plus(SLACK));
            if (took.minus(backoffs).compareTo(slowest) > 0) {
                slowest = took.minus(backoffs);
            }
        }
        assertThat(sweepRecoveries(http)).as("sweeper recoveries").isZero();
        QStashEmulator.Stats stats = emulator.stats();
        assertThat(stats.failedPublishes()).as("publishes failed on purpose").isPositive();
        System.out.printf(
                "QStash load on %s: %d runs, slowest beyond its backoffs %d ms, %d deliveries, %d failed publishes,"
                        + " %d deduplicated%n",
                databaseUrl.startsWith("jdbc:sqlite") ? "SQLite" : "PostgreSQL",
                RUNS,
                slowest.toMillis(),
                stats.deliveries(),
                stats.failedPublishes(),
                stats.deduplicated());
    }

    static Map<String, String> environment(QStashEmulator emulator, String databaseUrl, int port) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("DATABASE_URL", databaseUrl);
        env.put("QSTASH_URL", emulator.url().toString());
        env.put("QSTASH_TOKEN", emulator.token());
        env.put("QSTASH_CURRENT_SIGNING_KEY", emulator.currentSigningKey());
        env.put("QSTASH_NEXT_SIGNING_KEY", emulator.nextSigningKey());
        env.put("RUNS_PUBLIC_URL", "http://127.0.0.1:" + port);
        return env;
    }

    /** Creates {@code count} research runs, one every {@code pace}, each asked to fail synthesize once. */
    static List<String> createPaced(Http http, int count, Duration pace) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Http.Answer created = http.post(
                    "/api/runs",
                    "{\"graph\":\"research\",\"input\":{\"topic\":\"load " + i
                            + "\",\"failTimes\":{\"synthesize\":1}}}");
            assertThat(created.status()).isEqualTo(201);
            ids.add(created.json().path("id").asText());
            next += pace.toNanos();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        return ids;
    }

    /** Waits until every run finished (a liveness bound far beyond what the runs need), and returns them. */
    static List<JsonNode> awaitFinished(Http http, List<String> ids, Duration patience) throws InterruptedException {
        List<JsonNode> finished = new ArrayList<>();
        long deadline = System.nanoTime() + patience.toNanos();
        for (String id : ids) {
            JsonNode run = http.await(
                    "/api/runs/" + id,
                    r -> List.of("SUCCEEDED", "FAILED", "CANCELLED")
                            .contains(r.path("status").asText()),
                    Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            finished.add(run);
        }
        return finished;
    }

    /** The sweeper's recoveries, from the server's Prometheus metrics. */
    static double sweepRecoveries(Http http) {
        Matcher m = RECOVERIES.matcher(http.get("/metrics").body());
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
