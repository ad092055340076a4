package io.durableruns.examples.bench;

import io.durableruns.examples.server.RunsServer;
import io.durableruns.ports.model.RunCounts;
import io.durableruns.ports.model.RunStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP API under load on the standalone server, while its dispatcher runs what is created: {@code POST
 * /api/runs} of {@code research} runs from 1 client, then from 8 clients at once, on SQLite (the embedded default)
 * and on PostgreSQL. Reports creates/s and the latency of each create (p50, p99), and finished runs/s (from the first
 * create until no run is left unfinished).
 *
 * <pre>{@code
 * java -cp examples/target/durable-runs-server.jar io.durableruns.examples.bench.ApiLoadBenchmark \
 *     [--postgres-url jdbc:postgresql://127.0.0.1:5432/test?user=postgres] [--creates 400] [--workers 8] \
 *     [--sqlite-only]
 * }</pre>
 *
 * <p>{@code --workers} sets the server's dispatcher threads ({@code RUNS_WORKERS}, 8 by default).
 *
 * <p>Client threads and the server share the machine, as they do when both run on one host.
 */
public final class ApiLoadBenchmark {
    private static final String BODY = "{\"graph\":\"research\",\"input\":{\"topic\":\"load\"}}";

    private ApiLoadBenchmark() {}

    public static void main(String[] args) throws Exception {
        String postgres = BenchOptions.DEFAULT_POSTGRES_URL;
        int creates = 400;
        int workers = 8;
        boolean sqliteOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--postgres-url" -> postgres = args[++i];
                case "--creates" -> creates = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--sqlite-only" -> sqliteOnly = true;
                default ->
                    throw new IllegalArgumentException(
                            "usage: ApiLoadBenchmark [--postgres-url URL] [--creates N] [--workers N] [--sqlite-only]");
            }
        }
        Path dir = Files.createTempDirectory("api-load");
        List<String> lines = new ArrayList<>();
        lines.add("| database | clients | creates | creates/s | p50 ms | p99 ms | max ms | finished runs/s |");
        lines.add("|---|---:|---:|---:|---:|---:|---:|---:|");
        lines.addAll(measure("SQLite", "jdbc:sqlite:" + dir.resolve("runs.db"), creates, workers));
        if (!sqliteOnly) {
            lines.addAll(measurePostgres(postgres, creates, workers));
        }
        System.out.println();
        lines.forEach(System.out::println);
    }

    /** The same measure on a schema of its own in {@code postgres}, dropped afterwards. */
    private static List<String> measurePostgres(String postgres, int creates, int workers) throws Exception {
        String schema =
                "api_load_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        try (Connection c = DriverManager.getConnection(postgres);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        try {
            return measure(
                    "PostgreSQL",
                    postgres + (postgres.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                    creates,
                    workers);
        } finally {
            try (Connection c = DriverManager.getConnection(postgres);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static List<String> measure(String database, String url, int creates, int workers) throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> rows = new ArrayList<>();
        try (RunsServer server = RunsServer.start(Map.of(
                "PORT", Integer.toString(port), "DATABASE_URL", url, "RUNS_WORKERS", Integer.toString(workers)))) {
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + port + "/api/runs");
            phase(client, uri, server, 1, 200);
            for (int clients : new int[] {1, 8}) {
                Phase p = phase(client, uri, server, clients, creates);
                rows.add(String.format(
                        "| %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %.0f |",
                        database,
                        clients,
                        creates,
                        p.createsPerSecond(),
                        p.percentile(0.5),
                        p.percentile(0.99),
                        p.percentile(1.0),
                        p.finishedPerSecond()));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        return rows;
    }

    /** One phase's create latencies (nanoseconds, sorted) and durations. */
    private record Phase(long[] latencies, double createSeconds, double finishSeconds, int runs) {
        double createsPerSecond() {
            return runs / createSeconds;
        }

        double finishedPerSecond() {
            return runs / finishSeconds;
        }

        /** The nearest-rank percentile of the create latencies, in milliseconds. */
        double percentile(double p) {
            return HandlerClock.percentile(latencies, p) / 1e6;
        }
    }

    /** {@code clients} threads create {@code total} runs between them; then waits until they all finished. */
    private static Phase phase(HttpClient client, URI uri, RunsServer server, int clients, int total)
            throws InterruptedException {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < clients; t++) {
            threads.add(new Thread(() -> {
                while (next.getAndIncrement() < total) {
                    HttpRequest request = HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(BODY))
                            .build();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() != 201) {
                            throw new IllegalStateException("POST /api/runs answered " + answer.statusCode());
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    latencies.add(System.nanoTime() - t0);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        double createSeconds = (System.nanoTime() - start) / 1e9;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (unfinished(server) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("runs did not finish within 5 minutes");
            }
            Thread.sleep(5);
        }
        double finishSeconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Phase(sorted, createSeconds, finishSeconds, total);
    }

    private static long unfinished(RunsServer server) {
        RunCounts counts = server.engine().countRuns(null);
        return counts.count(RunStatus.QUEUED) + counts.count(RunStatus.RUNNING);
    }
}
