package io.durableruns.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.durableruns.examples.server.RunsServer;
import io.durableruns.qstash.QStashEmulator;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QStash mode when things break: the server process killed with SIGKILL in the middle of the load, and QStash
 * itself hanging on every publish for 35 s while clients keep creating runs on the embedded SQLite store.
 */
class QStashFaultTest {
    /** Headers of one hop, which a proxy does not pass on (the JDK client refuses to set them anyway). */
    private static final Set<String> HOP_BY_HOP =
            Set.of("host", "content-length", "connection", "upgrade", "http2-settings", "expect", "te");

    @TempDir
    Path dir;

    private QStashEmulator emulator;
    private RunsServer server;
    private HttpServer proxy;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (server != null) {
            server.close();
        }
        if (proxy != null) {
            proxy.stop(0);
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void a_server_killed_during_the_load_loses_no_run_and_fails_none_with_attempts_left() throws Exception {
        emulator = QStashEmulator.newBuilder()
                .port(0)
                .seed(29)
                .duplicateDeliveries(true)
                .randomOrder(true)
                .failPublishFraction(0.1)
                .start();
        int port = QStashLoadTest.freePort();
        String databaseUrl = "jdbc:sqlite:" + dir.resolve("runs.db");
        Process first = startServer(databaseUrl, port, "first");
        Http http = new Http(port);
        awaitReady(http, first);

        List<String> ids = QStashLoadTest.createPaced(http, 100, Duration.ofMillis(20));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (succeeded(http) < 20) {
            assertThat(System.nanoTime())
                    .as("some runs succeeded before the kill")
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isEqualTo(137);
        Process second = startServer(databaseUrl, port, "second");
        awaitReady(http, second);

        List<JsonNode> runs = QStashLoadTest.awaitFinished(http, ids, Duration.ofMinutes(4));
        for (JsonNode run : runs) {
            String id = run.path("id").asText();
            assertThat(run.path("status").asText()).as("%s: %s", id, run).isEqualTo("SUCCEEDED");
            assertThat(http.get("/api/runs/" + id + "/artifacts").json().path("artifacts"))
                    .as(id)
                    .hasSize(1);
        }
    }

    @Test
    void while_qstash_hangs_on_publishing_runs_are_still_created_at_once_and_no_delivery_fails() throws Exception {
        emulator = QStashEmulator.newBuilder().port(0).seed(31).start();
        CountDownLatch hanging = new CountDownLatch(1);
        long hangUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(35);
        proxy = hangingProxy(emulator.url(), hanging, hangUntil);
        int port = QStashLoadTest.freePort();
        Map<String, String> env = QStashLoadTest.environment(emulator, "jdbc:sqlite:" + dir.resolve("runs.db"), port);
        env.put("QSTASH_URL", "http://127.0.0.1:" + proxy.getAddress().getPort());
        server = RunsServer.start(env);
        Http http = new Http(port);

        List<String> ids = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        ids.add(create(http, latencies));
        assertThat(hanging.await(30, TimeUnit.SECONDS))
                .as("a publish reached the hanging QStash")
                .isTrue();
        latencies.clear();
        while (System.nanoTime() < hangUntil - TimeUnit.SECONDS.toNanos(2)) {
            ids.add(create(http, latencies));
            Thread.sleep(100);
        }
        latencies.sort(null);
        long p50 = latencies.get(latencies.size() / 2);
        long p99 = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1);
        System.out.printf(
                "POST /api/runs while QStash hangs (SQLite): %d creates, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                latencies.size(), p50 / 1e6, p99 / 1e6, latencies.get(latencies.size() - 1) / 1e6);
        assertThat(p99).as("p99 of POST /api/runs while QStash hangs, in ns").isLessThan(100_000_000L);

        List<JsonNode> runs = QStashLoadTest.awaitFinished(http, ids, Duration.ofMinutes(3));
        assertThat(runs).allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("SUCCEEDED"));
        QStashEmulator.Stats stats = emulator.stats();
        assertThat(stats.deadLettered()).isZero();
        assertThat(stats.deliveries())
                .as("every delivery succeeded the first time")
                .isEqualTo(stats.delivered());
    }

    private static String create(Http http, List<Long> latencies) {
        long start = System.nanoTime();
        Http.Answer created = http.post("/api/runs", "{\"graph\":\"research\",\"input\":{\"topic\":\"hang\"}}");
        latencies.add(System.nanoTime() - start);
        assertThat(created.status()).isEqualTo(201);
        return created.json().path("id").asText();
    }

    /**
     * A stand-in for QStash in front of the emulator: publishes wait until {@code hangUntil} (the publisher's own
     * timeout gives up before), then go through; everything else goes straight through.
     */
    private static HttpServer hangingProxy(URI target, CountDownLatch hanging, long hangUntil) throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try {
                String path = exchange.getRequestURI().getRawPath();
                if (path.startsWith("/v2/publish/") || path.equals("/v2/batch")) {
                    hanging.countDown();
                    long wait = hangUntil - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000);
                    }
                }
                forward(client, target, exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.start();
        return server;
    }

    private static void forward(HttpClient client, URI target, HttpExchange exchange)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        target.resolve(exchange.getRequestURI().toString()))
                .method(
                        exchange.getRequestMethod(),
                        HttpRequest.BodyPublishers.ofByteArray(
                                exchange.getRequestBody().readAllBytes()));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<byte[]> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        answer.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        byte[] body = answer.body();
        exchange.sendResponseHeaders(answer.statusCode(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static long succeeded(Http http) {
        return http.get("/api/runs?status=SUCCEEDED&limit=500")
                .json()
                .path("runs")
                .size();
    }

    private Process startServer(String databaseUrl, int port, String name) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashTestServer.class.getName());
        pb.environment().putAll(QStashLoadTest.environment(emulator, databaseUrl, port));
        pb.environment().put("RUNS_WORKERS", "4");
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
}
