package io.durableruns.qstash;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A small HTTP endpoint for tests: records every request and answers as the test says. */
final class RecordingEndpoint implements AutoCloseable {

    /** A recorded request; header names are lowercase. */
    record Request(String method, String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    record Reply(int status, Map<String, String> headers, String body) {
        static Reply ok() {
            return new Reply(200, Map.of(), "{\"ok\":true}");
        }

        static Reply status(int status) {
            return new Reply(status, Map.of(), "{\"error\":\"answer " + status + "\"}");
        }
    }

    @FunctionalInterface
    interface Responder {
        Reply reply(Request request);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final List<Request> requests = new ArrayList<>();
    private volatile Responder responder;

    RecordingEndpoint(Responder responder) {
        this.responder = responder;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    RecordingEndpoint() {
        this(r -> Reply.ok());
    }

    void respondWith(Responder value) {
        this.responder = value;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
            String path = ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null
                            ? ""
                            : "?" + ex.getRequestURI().getRawQuery());
            Request request = new Request(ex.getRequestMethod(), path, Map.copyOf(headers), body);
            Reply reply = responder.reply(request);
            synchronized (requests) {
                requests.add(request);
                requests.notifyAll();
            }
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            byte[] out = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        }
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    List<Request> requests(String pathPrefix) {
        return requests().stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
    }

    /** Waits (up to 30 s) until at least {@code count} requests to paths starting with the prefix arrived. */
    List<Request> await(String pathPrefix, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        synchronized (requests) {
            while (true) {
                List<Request> matching = requests.stream()
                        .filter(r -> r.path().startsWith(pathPrefix))
                        .toList();
                if (matching.size() >= count) {
                    return matching;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(
                            "expected " + count + " request(s) to " + pathPrefix + ", got " + matching.size() + ": "
                                    + requests.stream().map(Request::path).toList());
                }
                requests.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
