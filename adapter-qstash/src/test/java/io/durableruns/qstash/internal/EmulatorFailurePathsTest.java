package io.durableruns.qstash.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whatever fails inside the emulator, it answers and keeps no pending slot for a message it cannot serve. */
class EmulatorFailurePathsTest {
    private static final Instant NOW = Instant.parse("2026-02-01T10:00:00Z");

    private final EmulatorSettings settings = TestSettings.at(NOW);
    private final EmulatorCore core = new EmulatorCore(settings);

    @AfterEach
    void close() {
        core.close();
    }

    @Test
    void a_wait_too_long_to_count_in_nanoseconds_is_capped_not_thrown() {
        assertThat(settings.scaledNanos(Duration.ofDays(1_000_000))).isEqualTo(Long.MAX_VALUE / 4);
        assertThat(settings.scaledNanos(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE / 4);
        assertThat(settings.scaledNanos(Duration.ofDays(1)))
                .isEqualTo(Duration.ofDays(1).toNanos());
    }

    @Test
    void a_message_the_http_client_refuses_to_send_is_dead_lettered_not_kept() throws Exception {
        PublishSpec unsendable = PublishSpec.internal("http://127.0.0.1:99999/hook", Map.of(), 0, null, new byte[0]);

        core.publish(List.of(unsendable), "127.0.0.1");

        assertThat(core.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(core.counters().pending()).isZero();
        assertThat(core.dlq())
                .singleElement()
                .satisfies(dead -> assertThat(dead.get("responseBody").asText()).contains("port out of range"));
    }

    @Test
    void an_unexpected_error_is_answered_500_in_the_json_error_shape() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", new EmulatorHttpHandler(core, settings))
                .getFilters()
                .add(new UnreadableBody());
        server.start();
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + server.getAddress().getPort() + "/v2/publish/http://127.0.0.1:1/x"))
                                    .header("Authorization", "Bearer " + TestSettings.TOKEN)
                                    .POST(HttpRequest.BodyPublishers.ofString("x"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

            assertThat(answer.statusCode()).isEqualTo(500);
            assertThat(answer.body()).contains("\"error\"", "internal error of the emulator");
            assertThat(core.counters().pending()).isZero();
        } finally {
            server.stop(0);
        }
    }

    /** Makes reading the request body fail the way no test of the real server can. */
    private static final class UnreadableBody extends Filter {
        @Override
        public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
            exchange.setStreams(
                    new InputStream() {
                        @Override
                        public int read() {
                            throw new UncheckedIOException(new IOException("the body cannot be read"));
                        }
                    },
                    null);
            chain.doFilter(exchange);
        }

        @Override
        public String description() {
            return "a request body that throws when read";
        }
    }
}
