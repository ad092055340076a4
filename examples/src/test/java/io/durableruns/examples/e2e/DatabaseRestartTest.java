package io.durableruns.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.engine.RunEngine;
import io.durableruns.examples.server.RunsServer;
import io.durableruns.ports.RunsException;
import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.model.RunFilter;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Restarts the PostgreSQL server while a server is executing runs: connections break, commits fail, the
 * listener loses its connection. Every run still finishes, each with one artifact.
 *
 * <p>Needs the command that restarts the test database in {@code RUNS_TEST_POSTGRES_RESTART} (CI sets it,
 * e.g. {@code pg_ctlcluster --skip-systemctl-redirect 15 main restart}).
 */
class DatabaseRestartTest {
    private RunsServer server;
    private String url;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (url != null) {
            TestPostgres.dropSchemaOf(url);
        }
    }

    private static String restartCommand() {
        String command = System.getenv("RUNS_TEST_POSTGRES_RESTART");
        if (command == null || command.isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(
                        "CI=true but RUNS_TEST_POSTGRES_RESTART is not set: the database restart test must run");
            }
            Assumptions.abort("set RUNS_TEST_POSTGRES_RESTART to the command that restarts the test PostgreSQL");
        }
        return command;
    }

    @Test
    void every_run_finishes_once_when_postgresql_restarts_mid_flight() throws Exception {
        String restart = restartCommand();
        url = TestPostgres.freshSchemaUrl("restart");
        server = RunsServer.start(
                Map.of("PORT", "0", "DATABASE_URL", url, "RUNS_WORKERS", "4"),
                CrashTestServer.registry(),
                b -> b.leaseMargin(Duration.ofSeconds(1)));
        Http http = new Http(server.port());
        int runs = 20;
        for (int i = 0; i < runs; i++) {
            assertThat(http.post("/api/runs", "{\"graph\":\"slow\",\"input\":{\"sleepMs\":300}}")
                            .status())
                    .isEqualTo(201);
        }
        Thread.sleep(700);

        Process p = new ProcessBuilder("bash", "-c", restart).inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("restart command exit code").isZero();

        RunEngine engine = server.engine();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        List<RunRecord> done = List.of();
        while (System.nanoTime() < deadline) {
            try {
                done = engine.list(new RunListQuery(new RunFilter(RunStatus.SUCCEEDED, null), 500, null))
                        .runs();
                if (done.size() == runs) {
                    break;
                }
            } catch (RunsException databaseStillComingBack) {
                // the pool reconnects on its own; keep polling
            }
            Thread.sleep(250);
        }
        assertThat(done)
                .as(
                        "runs that did not succeed: %s",
                        engine.list(new RunListQuery(null, 500, null)).runs().stream()
                                .filter(r -> r.status() != RunStatus.SUCCEEDED)
                                .map(r -> engine.find(r.id()).orElseThrow())
                                .toList())
                .hasSize(runs);
        for (RunRecord r : done) {
            assertThat(engine.artifacts(r.id())).hasSize(1);
        }
        assertThat(http.get("/readyz").status()).isEqualTo(200);
    }
}
