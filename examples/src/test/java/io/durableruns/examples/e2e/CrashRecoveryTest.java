package io.durableruns.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the server process with SIGKILL in the middle of a step, starts a new one on the same database, and
 * checks that the step is recovered once its lease expires and the run finishes with one artifact.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void a_server_killed_mid_step_on_sqlite_recovers_the_step_after_restart() throws Exception {
        recoversAfterKill("jdbc:sqlite:" + dir.resolve("runs.db"));
    }

    @Test
    void a_server_killed_mid_step_on_postgresql_recovers_the_step_after_restart() throws Exception {
        String url = TestPostgres.freshSchemaUrl("crash");
        try {
            recoversAfterKill(url);
        } finally {
            TestPostgres.dropSchemaOf(url);
        }
    }

    @Test
    void sigterm_lets_the_running_step_finish_before_the_server_exits() throws Exception {
        String databaseUrl = "jdbc:sqlite:" + dir.resolve("runs.db");
        int port = freePort();
        Process first = startServer(databaseUrl, port, "first");
        Http http = new Http(port);
        awaitReady(http, first);
        String id = http.post("/api/runs", "{\"graph\":\"slow\",\"input\":{\"sleepMs\":1500}}")
                .json()
                .path("id")
                .asText();
        http.await("/api/runs/" + id, run -> stepStatus(run, "work").equals("RUNNING"), Duration.ofSeconds(20));

        first.destroy();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isEqualTo(143);

        Process second = startServer(databaseUrl, port, "second");
        awaitReady(http, second);
        JsonNode run = http.await(
                "/api/runs/" + id, r -> r.path("status").asText().equals("SUCCEEDED"), Duration.ofSeconds(30));
        assertThat(step(run, "work").path("attempt").asInt())
                .as("the step finished during the grace period")
                .isEqualTo(1);
        assertThat(http.get("/api/runs/" + id + "/artifacts/work/out.txt").body())
                .isEqualTo("attempt 1");
    }

    private void recoversAfterKill(String databaseUrl) throws Exception {
        int port = freePort();
        Process first = startServer(databaseUrl, port, "first");
        Http http = new Http(port);
        awaitReady(http, first);

        Http.Answer created = http.post("/api/runs", "{\"graph\":\"slow\",\"input\":{\"sleepMs\":2000}}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().path("id").asText();
        http.await("/api/runs/" + id, run -> stepStatus(run, "work").equals("RUNNING"), Duration.ofSeconds(20));

        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isEqualTo(137);

        Process second = startServer(databaseUrl, port, "second");
        awaitReady(http, second);
        JsonNode run = http.await(
                "/api/runs/" + id, r -> r.path("status").asText().equals("SUCCEEDED"), Duration.ofSeconds(60));

        JsonNode work = step(run, "work");
        assertThat(work.path("attempt").asInt()).isEqualTo(2);
        JsonNode artifacts = http.get("/api/runs/" + id + "/artifacts").json().path("artifacts");
        assertThat(artifacts).hasSize(1);
        assertThat(http.get("/api/runs/" + id + "/artifacts/work/out.txt").body())
                .isEqualTo("attempt 2");
        List<String> types = new ArrayList<>();
        http.get("/api/runs/" + id + "/timeline")
                .json()
                .path("events")
                .forEach(e -> types.add(e.path("type").asText()));
        assertThat(types)
                .containsSubsequence(
                        "STEP_STARTED",
                        "STEP_LEASE_EXPIRED",
                        "STEP_RETRY_SCHEDULED",
                        "STEP_STARTED",
                        "STEP_SUCCEEDED",
                        "RUN_SUCCEEDED");
    }

    private static String stepStatus(JsonNode run, String name) {
        return step(run, name).path("status").asText();
    }

    private static JsonNode step(JsonNode run, String name) {
        for (JsonNode s : run.path("steps")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no step " + name + " in " + run);
    }

    private Process startServer(String databaseUrl, int port, String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashTestServer.class.getName());
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("DATABASE_URL", databaseUrl);
        pb.environment().put("RUNS_WORKERS", "2");
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve(name + ".log").toFile());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private void awaitReady(Http http, Process process) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with " + process.exitValue() + "; see " + dir);
            }
            try {
                if (http.get("/readyz").status() == 200) {
                    return;
                }
            } catch (AssertionError notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("server not ready in 30 s; log in " + dir + File.separator);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
