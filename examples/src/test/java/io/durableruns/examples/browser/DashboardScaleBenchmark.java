package io.durableruns.examples.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.examples.e2e.Http;
import io.durableruns.examples.e2e.TestPostgres;
import io.durableruns.examples.server.RunsServer;
import io.durableruns.jdbc.JdbcOptions;
import io.durableruns.jdbc.JdbcRunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Measures the runs page over 100,000 runs on SQLite and PostgreSQL: the latency of each API call the page makes
 * (median, 95th percentile, max of 40 calls after 10 warm-ups) and, in headless Chromium, the time from navigation
 * until the page is interactive and until the first page of runs is drawn. A benchmark, not a test: it asserts
 * nothing about time, and runs only when {@code RUNS_DASHBOARD_BENCH=true}:
 *
 * <pre>{@code
 * RUNS_DASHBOARD_BENCH=true RUNS_TEST_POSTGRES_URL=jdbc:postgresql://127.0.0.1:5432/test?user=postgres \
 *   ./mvnw -B -pl examples -am verify -Dtest=DashboardScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 *
 * The report is printed and written to {@code examples/target/dashboard-benchmark.md}.
 */
class DashboardScaleBenchmark {
    private static final int RUNS = 100_000;
    private static final int WARM_UP = 10;
    private static final int SAMPLES = 40;
    private static final int PAGE_LOADS = 7;

    @TempDir
    Path dir;

    private final StringBuilder report = new StringBuilder();

    @Test
    void the_runs_page_over_100000_runs() throws Exception {
        Assumptions.assumeTrue(
                "true".equalsIgnoreCase(System.getenv("RUNS_DASHBOARD_BENCH")),
                "Benchmark skipped: set RUNS_DASHBOARD_BENCH=true to measure the dashboard over 100,000 runs");
        String sqlite = "jdbc:sqlite:" + dir.resolve("bench.db");
        migrate(sqlite);
        long t0 = System.nanoTime();
        RunSeeder.sqlite(sqlite, RUNS);
        measure("SQLite", sqlite, (System.nanoTime() - t0) / 1_000_000);

        String postgres = TestPostgres.freshSchemaUrl("dashbench");
        try {
            migrate(postgres);
            t0 = System.nanoTime();
            RunSeeder.postgres(postgres, RUNS);
            measure("PostgreSQL", postgres, (System.nanoTime() - t0) / 1_000_000);
        } finally {
            TestPostgres.dropSchemaOf(postgres);
        }
        Path out = Path.of("target", "dashboard-benchmark.md");
        Files.writeString(out, report);
        System.out.println(report);
    }

    private static void migrate(String url) {
        try (JdbcRunStore store = JdbcRunStore.fromUrl(url, JdbcOptions.defaults())) {
            assertThat(store.readiness().ready()).isTrue();
        }
    }

    private void measure(String database, String url, long seedMs) throws Exception {
        try (RunsServer server = RunsServer.start(Map.of("PORT", "0", "DATABASE_URL", url, "RUNS_WORKERS", "2"))) {
            Http http = new Http(server.port());
            assertThat(http.get("/api/run-counts")
                            .json()
                            .path("counts")
                            .path("SUCCEEDED")
                            .asLong())
                    .isEqualTo(10_000);
            String cursor =
                    http.get("/api/runs?limit=50").json().path("nextCursor").asText();
            String deep = http.get("/api/runs?limit=500&status=SUCCEEDED&cursor=" + cursor)
                    .json()
                    .path("nextCursor")
                    .asText();
            String[][] calls = {
                {"first page, all runs", "/api/runs?limit=50"},
                {"counts per status", "/api/run-counts"},
                {"graphs with unfinished runs", "/api/graphs"},
                {"failed runs", "/api/runs?limit=50&status=FAILED"},
                {"one graph", "/api/runs?limit=50&graph=flaky"},
                {"one graph, cancelled", "/api/runs?limit=50&graph=flaky&status=CANCELLED"},
                {"counts of one graph", "/api/run-counts?graph=flaky"},
                {"next page", "/api/runs?limit=50&cursor=" + cursor},
                {"a page 550 runs deep", "/api/runs?limit=50&status=SUCCEEDED&cursor=" + deep},
                {"search by id prefix", "/api/runs?limit=50&id=run_00000000000000000000001"},
            };
            report.append("\n### ")
                    .append(database)
                    .append(", ")
                    .append(String.format(Locale.ROOT, "%,d", RUNS))
                    .append(" runs (seeded in ")
                    .append(seedMs)
                    .append(" ms)\n\n| API call | median ms | p95 ms | max ms |\n|---|---:|---:|---:|\n");
            for (String[] call : calls) {
                double[] ms = sample(http, call[1]);
                report.append(
                        String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", call[0], ms[0], ms[1], ms[2]));
            }
            pageLoads(server.port(), database);
        }
    }

    private static double[] sample(Http http, String path) {
        for (int i = 0; i < WARM_UP; i++) {
            assertThat(http.get(path).status()).as(path).isEqualTo(200);
        }
        double[] ms = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long t = System.nanoTime();
            assertThat(http.get(path).status()).isEqualTo(200);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[SAMPLES / 2], ms[(int) Math.ceil(SAMPLES * 0.95) - 1], ms[SAMPLES - 1]};
    }

    private void pageLoads(int port, String database) throws Exception {
        ChromeDriver browser = Chromium.start(dir.resolve("profile-" + database));
        try {
            WebDriverWait wait = new WebDriverWait(browser, java.time.Duration.ofSeconds(30));
            List<Double> interactive = new ArrayList<>();
            List<Double> drawn = new ArrayList<>();
            for (int i = 0; i < PAGE_LOADS; i++) {
                browser.get("http://127.0.0.1:" + port + "/");
                wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-run-id]"), 50));
                JavascriptExecutor js = browser;
                interactive.add(((Number)
                                js.executeScript("return performance.getEntriesByType('navigation')[0].domInteractive"))
                        .doubleValue());
                drawn.add(
                        ((Number) js.executeScript("return performance.getEntriesByName('runs-rendered')[0].startTime"))
                                .doubleValue());
            }
            Chromium.screenshot(browser, "runs-page-100k-" + database.toLowerCase(Locale.ROOT));
            report.append(String.format(
                    Locale.ROOT,
                    "%nIn headless Chromium, median of %d loads of `/`: DOM interactive %.0f ms, first page of 50"
                            + " runs with counts drawn %.0f ms after navigation start.%n",
                    PAGE_LOADS,
                    median(interactive),
                    median(drawn)));
        } finally {
            browser.quit();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
