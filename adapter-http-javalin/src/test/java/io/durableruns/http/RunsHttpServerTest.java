package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durableruns.http.TestApi.Response;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunsHttpServerTest {
    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void build_names_the_setting_that_is_missing_or_out_of_range() {
        assertThatThrownBy(() -> RunsHttpServer.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operations");
        assertThatThrownBy(() -> RunsHttpServer.builder()
                        .operations(api.engine)
                        .bodyLimit(0)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bodyLimit");
        assertThatThrownBy(() -> RunsHttpServer.builder()
                        .operations(api.engine)
                        .port(70000)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
        assertThatThrownBy(() -> RunsHttpServer.builder()
                        .operations(api.engine)
                        .host(" ")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host");
    }

    @Test
    void port_reports_the_actual_port_when_zero_was_configured() {
        assertThat(api.server.port()).isPositive();
        assertThat(api.get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void a_server_that_is_not_running_has_no_port() {
        RunsHttpServer server =
                RunsHttpServer.builder().operations(api.engine).port(0).build();

        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        server.start();
        server.close();
        server.close();
        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void a_port_in_use_fails_start_with_a_library_exception() {
        RunsHttpServer second = RunsHttpServer.builder()
                .operations(api.engine)
                .port(api.server.port())
                .build();

        assertThatThrownBy(second::start)
                .isInstanceOf(HttpServerException.class)
                .hasMessageContaining(Integer.toString(api.server.port()));
        second.close();
    }

    @Test
    void a_chunked_body_over_the_limit_is_413_and_stores_nothing() {
        try (TestApi small = TestApi.with().bodyLimit(64).start()) {
            byte[] body = ("{\"graph\":\"demo\",\"input\":{\"pad\":\"" + "x".repeat(200) + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);

            Response r = small.send(small.request("/api/runs")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

            assertThat(r.status()).isEqualTo(413);
            assertThat(r.errorCode()).isEqualTo("payload_too_large");
            assertThat(small.runCount()).isZero();
            assertThat(small.get("/healthz").status()).isEqualTo(200);
        }
    }
}
