package io.durableruns.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.examples.server.RunsServer;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.model.RunCounts;
import io.durableruns.ports.model.RunStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The HTTP API under load on the standalone server, while its dispatcher runs what is created: {@code POST
 * /api/runs} of {@code research} runs, on SQLite (the embedded default) and on PostgreSQL. Three loads: 1 client and
 * 8 clients each sending as fast as their answers come back (closed loop), then 8 clients sending together at a
 * fixed rate ({@code --rate}; 147 creates/s by default, what 8 clients reached when the performance goals were set).
 * Reports creates/s, the latency of each create (p50, p99, max), finished runs/s (from the first create until no
 * run is left unfinished) and this JVM's CPU time per run over the same span.
 *
 * <p>Each load runs twice: over HTTP, and straight into the server's engine ({@code RunEngine.create}, no HTTP) as
 * the baseline of the same run: what a create costs the engine while the same dispatcher runs the same runs.
 *
 * <pre>{@code
 * java -cp examples/target/durable-runs-server.jar io.durableruns.examples.bench.ApiLoadBenchmark \
 *     [--postgres-url jdbc:postgresql://127.0.0.1:5432/test?user=postgres] [--creates 2000] [--warmup 2000] \
 *     [--workers 8] [--rate 147] [--client blocking|jdk] [--sqlite-only]
 * }</pre>
 *
 * <p>{@code --workers} sets the server's dispatcher threads ({@code RUNS_WORKERS}, 8 by default).
 *
 * <p>Client threads and the server share the machine, as they do when both run on one host, so the client's own
 * CPU and thread hand-offs count in every latency. The default client is the JDK's blocking {@code
 * HttpURLConnection}, one kept-alive connection per client thread, which does its work on the calling thread;
 * {@code --client jdk} uses {@code java.net.http.HttpClient}, whose selector and executor threads add hand-offs of
 * their own (the figures in docs/BENCHMARKS.md up to 4 December were taken with it). With a paced load a create's
 * latency counts from when it was due, so a client held up by a slow answer does not hide the wait.
 */
public final class ApiLoadBenchmark {
    private static final String BODY = "{\"graph\":\"research\",\"input\":{\"topic\":\"load\"}}";
    private static final String USAGE =
            "usage: ApiLoadBenchmark [--postgres-url URL] [--creates N] [--warmup N] [--workers N]"
                    + " [--rate CREATES_PER_SECOND] [--client blocking|jdk] [--sqlite-only]";

    private ApiLoadBenchmark() {}

    /** One create, timed by the caller. */
    @FunctionalInterface
    private interface Create {
        void send() throws IOException, InterruptedException;
    }

    /**
     * What each database is measured with: {@code creates} timed per load after {@code warmup} through each path,
     * the server's dispatcher threads, and the client.
     */
    private record Settings(int creates, int warmup, int workers, List<Load> loads, boolean jdkClient) {}

    /** How many clients send, and at what total rate ({@code 0}: each as fast as its answers come back). */
    private record Load(int clients, double rate) {
        String offered() {
            return rate > 0 ? String.format("%.0f/s", rate) : "closed loop";
        }
    }

    public static void main(String[] args) throws Exception {
        String postgres = BenchOptions.DEFAULT_POSTGRES_URL;
        int creates = 2000;
        int warmup = 2000;
        int workers = 8;
        double rate = 147;
        boolean jdkClient = false;
        boolean sqliteOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--postgres-url" -> postgres = args[++i];
                case "--creates" -> creates = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--client" ->
                    jdkClient = switch (args[++i]) {
                        case "blocking" -> false;
                        case "jdk" -> true;
                        default -> throw new IllegalArgumentException(USAGE);
                    };
                case "--sqlite-only" -> sqliteOnly = true;
                default -> throw new IllegalArgumentException(USAGE);
            }
        }
        if (creates < 1 || warmup < 1 || workers < 1 || rate <= 0) {
            throw new IllegalArgumentException("--creates, --warmup, --workers and --rate must be positive; " + USAGE);
        }
        // The JDK keeps at most 5 idle connections per server by default; each client thread keeps its own.
        System.setProperty("http.maxConnections", "64");
        Settings settings = new Settings(
                creates, warmup, workers, List.of(new Load(1, 0), new Load(8, 0), new Load(8, rate)), jdkClient);
        Path dir = Files.createTempDirectory("api-load");
        List<String> lines = new ArrayList<>();
        lines.add("| database | path | clients | offered | creates/s | p50 ms | p99 ms | max ms | finished runs/s |"
                + " JVM CPU ms/run |");
        lines.add("|---|---|---:|---|---:|---:|---:|---:|---:|---:|");
        lines.addAll(measure("SQLite", "jdbc:sqlite:" + dir.resolve("runs.db"), settings));
        if (!sqliteOnly) {
            lines.addAll(measurePostgres(postgres, settings));
        }
        System.out.println();
        System.out.println(creates + " creates per phase, " + (jdkClient ? "java.net.http.HttpClient" : "blocking")
                + " HTTP client, " + workers + " dispatcher workers");
        lines.forEach(System.out::println);
    }

    /** The same measure on a schema of its own in {@code postgres}, dropped afterwards. */
    private static List<String> measurePostgres(String postgres, Settings settings) throws Exception {
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
                    settings);
        } finally {
            try (Connection c = DriverManager.getConnection(postgres);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static List<String> measure(String database, String url, Settings settings) throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> rows = new ArrayList<>();
        try (RunsServer server = RunsServer.start(Map.of(
                "PORT",
                Integer.toString(port),
                "DATABASE_URL",
                url,
                "RUNS_WORKERS",
                Integer.toString(settings.workers())))) {
            URI uri = URI.create("http://127.0.0.1:" + port + "/api/runs");
            Create http = settings.jdkClient() ? jdkHttp(uri) : blockingHttp(uri);
            JsonNode input = new ObjectMapper().readTree(BODY).get("input");
            Create engine = () -> server.engine().create(CreateRunCommand.of("research", input));
            // Warm-up: the JIT compiles the HTTP path (client and server) and the engine's before anything is timed.
            phase(http, server, new Load(8, 0), settings.warmup());
            phase(engine, server, new Load(8, 0), settings.warmup());
            for (Load load : settings.loads()) {
                for (boolean overHttp : new boolean[] {true, false}) {
                    Phase p = phase(overHttp ? http : engine, server, load, settings.creates());
                    rows.add(String.format(
                            "| %s | %s | %d | %s | %.0f | %.1f | %.1f | %.1f | %.0f | %.2f |",
                            database,
                            overHttp ? "HTTP" : "engine",
                            load.clients(),
                            load.offered(),
                            p.createsPerSecond(),
                            p.percentile(0.5),
                            p.percentile(0.99),
                            p.percentile(1.0),
                            p.finishedPerSecond(),
                            p.cpuSeconds() * 1e3 / p.runs()));
                    System.out.println(rows.get(rows.size() - 1));
                }
            }
        }
        return rows;
    }

    /** {@code POST /api/runs} on the calling thread, through the JDK's kept-alive connections. */
    private static Create blockingHttp(URI uri) throws IOException {
        URL url = uri.toURL();
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        return () -> {
            HttpURLConnection connection = (HttpURLConnection) url.openConnection();
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            connection.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            // Read to the end, so the connection goes back to the keep-alive cache.
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            if (status != 201) {
                throw new IllegalStateException("POST /api/runs answered " + status);
            }
        };
    }

    /** {@code POST /api/runs} through {@code java.net.http.HttpClient}. */
    private static Create jdkHttp(URI uri) {
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return () -> {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                    .build();
            HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 201) {
                throw new IllegalStateException("POST /api/runs answered " + answer.statusCode());
            }
        };
    }

    /**
     * One phase's create latencies (nanoseconds, sorted), durations, and the CPU time this JVM used from the first
     * create until every run finished (client threads, server and dispatcher, and on SQLite the database too).
     */
    private record Phase(long[] latencies, double createSeconds, double finishSeconds, double cpuSeconds, int runs) {
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

    /**
     * {@code load.clients()} threads create {@code total} runs between them, the i-th create due at {@code i / rate}
     * seconds when the load is paced; then waits until they all finished.
     */
    private static Phase phase(Create create, RunsServer server, Load load, int total) throws InterruptedException {
        long[] latencies = new long[total];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        double cpuStart = ResourceMeter.jvmCpuSeconds();
        long start = System.nanoTime();
        for (int t = 0; t < load.clients(); t++) {
            threads.add(new Thread(() -> {
                int i;
                while ((i = next.getAndIncrement()) < total && failure.get() == null) {
                    long t0;
                    if (load.rate() > 0) {
                        t0 = start + (long) (i * 1e9 / load.rate());
                        for (long wait = t0 - System.nanoTime(); wait > 0; wait = t0 - System.nanoTime()) {
                            LockSupport.parkNanos(wait);
                        }
                    } else {
                        t0 = System.nanoTime();
                    }
                    try {
                        create.send();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        failure.compareAndSet(null, e);
                        return;
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                        return;
                    }
                    latencies[i] = System.nanoTime() - t0;
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a create failed", failure.get());
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
        double cpuSeconds = ResourceMeter.jvmCpuSeconds() - cpuStart;
        Arrays.sort(latencies);
        return new Phase(latencies, createSeconds, finishSeconds, cpuSeconds, total);
    }

    private static long unfinished(RunsServer server) {
        RunCounts counts = server.engine().countRuns(null);
        return counts.count(RunStatus.QUEUED) + counts.count(RunStatus.RUNNING);
    }
}
