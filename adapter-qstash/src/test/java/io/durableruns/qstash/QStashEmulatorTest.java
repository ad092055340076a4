package io.durableruns.qstash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.qstash.EmulatorClient.Answer;
import io.durableruns.qstash.RecordingEndpoint.Reply;
import io.durableruns.qstash.RecordingEndpoint.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QStashEmulatorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final RecordingEndpoint endpoint = new RecordingEndpoint();
    private QStashEmulator emulator =
            QStashEmulator.newBuilder().port(0).timeScale(0.001).seed(7).start();
    private EmulatorClient client = new EmulatorClient(emulator);

    @AfterEach
    void close() {
        emulator.close();
        endpoint.close();
    }

    private void restart(QStashEmulator.Builder builder) {
        emulator.close();
        emulator = builder.port(0).start();
        client = new EmulatorClient(emulator);
    }

    /** Publishes {@code body} to {@code path} on the endpoint and returns the message id. */
    private String publishedId(String path, String body, Map<String, String> headers) {
        return client.publish(endpoint.url(path), body, headers)
                .json()
                .get("messageId")
                .asText();
    }

    private QStashVerifier verifierFor(String url) {
        return QStashVerifier.newBuilder()
                .currentSigningKey(emulator.currentSigningKey())
                .nextSigningKey(emulator.nextSigningKey())
                .expectedUrl(url)
                .build();
    }

    @Test
    void delivers_with_the_headers_qstash_sends_and_a_signature_our_verifier_accepts() throws Exception {
        String url = endpoint.url("/hook?tenant=a");
        Answer published = client.publish(
                url,
                "{\"hello\": \"world\"}",
                Map.of(
                        "Content-Type", "application/json",
                        "Upstash-Forward-My-Header", "my-value"));
        assertThat(published.status()).isEqualTo(201);
        String messageId = published.json().get("messageId").asText();
        assertThat(messageId).startsWith("msg_");
        assertThat(published.json().get("url").asText()).isEqualTo(url);

        Request delivery = endpoint.await("/hook", 1).get(0);
        assertThat(delivery.method()).isEqualTo("POST");
        assertThat(delivery.path()).isEqualTo("/hook?tenant=a");
        assertThat(delivery.bodyText()).isEqualTo("{\"hello\": \"world\"}");
        assertThat(delivery.header("Content-Type")).isEqualTo("application/json");
        assertThat(delivery.header("User-Agent")).isEqualTo("Upstash-QStash");
        assertThat(delivery.header("Upstash-Message-Id")).isEqualTo(messageId);
        assertThat(delivery.header("Upstash-Retried")).isEqualTo("0");
        assertThat(delivery.header("My-Header")).isEqualTo("my-value");
        assertThat(delivery.header("Upstash-Forward-My-Header")).isNull();
        assertThat(delivery.header("Authorization")).isNull();
        assertThat(verifierFor(url).check(delivery.header("Upstash-Signature"), delivery.body()))
                .isEqualTo(QStashVerifier.Reason.OK);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(emulator.stats().delivered()).isEqualTo(1);
    }

    @Test
    void retries_with_a_stable_message_id_then_dead_letters_and_calls_the_failure_callback() throws Exception {
        endpoint.respondWith(r -> r.path().startsWith("/cb") ? Reply.ok() : new Reply(500, Map.of(), "boom"));
        String url = endpoint.url("/hook");
        String id = client.publish(
                        url,
                        "payload",
                        Map.of(
                                "Upstash-Retries", "2",
                                "Upstash-Failure-Callback", endpoint.url("/cb"),
                                "Upstash-Failure-Callback-Forward-X-Tag", "t1"))
                .json()
                .get("messageId")
                .asText();

        List<Request> attempts = endpoint.await("/hook", 3);
        Request callback = endpoint.await("/cb", 1).get(0);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(endpoint.requests("/hook")).hasSize(3);
        assertThat(attempts).extracting(r -> r.header("Upstash-Message-Id")).containsOnly(id);
        assertThat(attempts).extracting(r -> r.header("Upstash-Retried")).containsExactly("0", "1", "2");

        JsonNode dlq = client.call("GET", "/v2/dlq").json().get("messages");
        assertThat(dlq).hasSize(1);
        JsonNode dead = dlq.get(0);
        assertThat(dead.get("messageId").asText()).isEqualTo(id);
        assertThat(dead.get("responseStatus").asInt()).isEqualTo(500);
        assertThat(dead.get("responseBody").asText()).isEqualTo("boom");
        assertThat(dead.get("url").asText()).isEqualTo(url);

        JsonNode payload = EmulatorClient.JSON.readTree(callback.body());
        assertThat(payload.get("status").asInt()).isEqualTo(500);
        assertThat(new String(Base64.getDecoder().decode(payload.get("body").asText()), StandardCharsets.UTF_8))
                .isEqualTo("boom");
        assertThat(payload.get("retried").asInt()).isEqualTo(2);
        assertThat(payload.get("maxRetries").asInt()).isEqualTo(2);
        assertThat(payload.get("dlqId").asText()).isEqualTo(dead.get("dlqId").asText());
        assertThat(payload.get("sourceMessageId").asText()).isEqualTo(id);
        assertThat(payload.get("url").asText()).isEqualTo(url);
        assertThat(payload.get("method").asText()).isEqualTo("POST");
        assertThat(payload.get("sourceHeader").get("Upstash-Retries").get(0).asText())
                .isEqualTo("2");
        assertThat(payload.get("sourceHeader").has("Authorization")).isFalse();
        assertThat(new String(
                        Base64.getDecoder().decode(payload.get("sourceBody").asText()), StandardCharsets.UTF_8))
                .isEqualTo("payload");
        assertThat(payload.get("createdAt").asLong()).isPositive();
        assertThat(callback.header("Content-Type")).isEqualTo("application/json");
        assertThat(callback.header("X-Tag")).isEqualTo("t1");
        assertThat(callback.header("Upstash-Message-Id")).isNotEqualTo(id);
        assertThat(verifierFor(endpoint.url("/cb")).check(callback.header("Upstash-Signature"), callback.body()))
                .isEqualTo(QStashVerifier.Reason.OK);
        assertThat(emulator.stats().deadLettered()).isEqualTo(1);
    }

    @Test
    void answer_489_with_the_non_retryable_header_goes_straight_to_the_dlq() throws Exception {
        endpoint.respondWith(r -> r.path().startsWith("/cb")
                ? Reply.ok()
                : new Reply(489, Map.of("Upstash-NonRetryable-Error", "true"), "{\"error\":\"failed for good\"}"));
        client.publish(
                endpoint.url("/hook"),
                "x",
                Map.of("Upstash-Retries", "5", "Upstash-Failure-Callback", endpoint.url("/cb")));
        endpoint.await("/cb", 1);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(endpoint.requests("/hook")).hasSize(1);
        JsonNode dead = client.call("GET", "/v2/dlq").json().get("messages").get(0);
        assertThat(dead.get("responseStatus").asInt()).isEqualTo(489);
        assertThat(dead.get("retried").asInt()).isZero();
    }

    @Test
    void answer_489_without_the_header_is_retried_like_any_failure() throws Exception {
        endpoint.respondWith(r -> r.header("Upstash-Retried").equals("0") ? Reply.status(489) : Reply.ok());
        client.publish(endpoint.url("/hook"), "x", Map.of("Upstash-Retry-Delay", "1"));
        endpoint.await("/hook", 2);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(client.call("GET", "/v2/dlq").json().get("messages")).isEmpty();
        assertThat(emulator.stats().delivered()).isEqualTo(1);
    }

    @Test
    void without_upstash_retries_a_message_is_retried_three_times_by_default() throws Exception {
        endpoint.respondWith(r -> Reply.status(503));
        client.publish(endpoint.url("/hook"), "x", Map.of("Upstash-Retry-Delay", "pow(2, retried)"));
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(endpoint.requests("/hook"))
                .extracting(r -> r.header("Upstash-Retried"))
                .containsExactly("0", "1", "2", "3");
    }

    @Test
    void a_deduplication_id_drops_the_second_publish_with_202_and_the_original_id() throws Exception {
        Map<String, String> headers = Map.of("Upstash-Deduplication-Id", "int_01jx-abc_9");
        Answer first = client.publish(endpoint.url("/hook"), "one", headers);
        Answer second = client.publish(endpoint.url("/hook"), "two", headers);
        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.json().get("messageId").asText())
                .isEqualTo(first.json().get("messageId").asText());
        assertThat(second.json().get("deduplicated").asBoolean()).isTrue();
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(endpoint.requests("/hook")).extracting(Request::bodyText).containsExactly("one");
        assertThat(emulator.stats().deduplicated()).isEqualTo(1);
    }

    @Test
    void a_deduplication_id_with_a_colon_is_refused_like_qstash_does() {
        Answer answer = client.publish(endpoint.url("/hook"), "x", Map.of("Upstash-Deduplication-Id", "run:1"));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().get("error").asText()).contains("Deduplication-Id");
        assertThat(emulator.stats().published()).isZero();
    }

    @Test
    void deduplication_ids_are_forgotten_after_the_window() throws Exception {
        restart(QStashEmulator.newBuilder().timeScale(0.001).dedupWindow(Duration.ofMillis(20)));
        Map<String, String> headers = Map.of("Upstash-Deduplication-Id", "same");
        assertThat(client.publish(endpoint.url("/hook"), "one", headers).status())
                .isEqualTo(201);
        Thread.sleep(100);
        assertThat(client.publish(endpoint.url("/hook"), "two", headers).status())
                .isEqualTo(201);
        endpoint.await("/hook", 2);
    }

    @Test
    void content_based_deduplication_drops_an_identical_message_only() throws Exception {
        Map<String, String> headers =
                Map.of("Upstash-Content-Based-Deduplication", "true", "Content-Type", "text/plain");
        assertThat(client.publish(endpoint.url("/hook"), "same", headers).status())
                .isEqualTo(201);
        assertThat(client.publish(endpoint.url("/hook"), "same", headers).status())
                .isEqualTo(202);
        assertThat(client.publish(endpoint.url("/hook"), "other", headers).status())
                .isEqualTo(201);
        assertThat(client.publish(endpoint.url("/other"), "same", headers).status())
                .isEqualTo(201);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(endpoint.requests()).hasSize(3);
    }

    @Test
    void delay_and_not_before_set_the_first_delivery_time_and_not_before_wins() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-02-01T10:00:00Z"));
        restart(QStashEmulator.newBuilder().timeScale(1.0).clock(clock));
        long now = clock.millis();
        String delayed = publishedId("/a", "x", Map.of("Upstash-Delay", "1h30m"));
        long notBefore = now / 1000 + 7200;
        String both =
                publishedId("/b", "x", Map.of("Upstash-Delay", "10s", "Upstash-Not-Before", Long.toString(notBefore)));
        JsonNode first = client.call("GET", "/v2/messages/" + delayed).json();
        JsonNode second = client.call("GET", "/v2/messages/" + both).json();
        assertThat(first.get("notBefore").asLong()).isEqualTo(now + 5_400_000);
        assertThat(first.get("createdAt").asLong()).isEqualTo(now);
        assertThat(second.get("notBefore").asLong()).isEqualTo(notBefore * 1000);
        assertThat(client.publish(endpoint.url("/c"), "x", Map.of("Upstash-Delay", "soon"))
                        .status())
                .isEqualTo(400);
        assertThat(endpoint.requests()).isEmpty();
    }

    @Test
    void a_scaled_delay_is_delivered_after_the_scaled_wait() throws Exception {
        restart(QStashEmulator.newBuilder().timeScale(0.0001));
        client.publish(endpoint.url("/later"), "x", Map.of("Upstash-Delay", "1m"));
        endpoint.await("/later", 1);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
    }

    @Test
    void a_pending_message_can_be_read_and_cancelled() throws Exception {
        restart(QStashEmulator.newBuilder().timeScale(1.0));
        String id = client.publish(
                        endpoint.url("/hook"),
                        "{\"a\":1}",
                        Map.of("Upstash-Delay", "1d", "Content-Type", "application/json", "Upstash-Retries", "4"))
                .json()
                .get("messageId")
                .asText();
        JsonNode message = client.call("GET", "/v2/messages/" + id).json();
        assertThat(message.get("messageId").asText()).isEqualTo(id);
        assertThat(message.get("url").asText()).isEqualTo(endpoint.url("/hook"));
        assertThat(message.get("body").asText()).isEqualTo("{\"a\":1}");
        assertThat(message.get("maxRetries").asInt()).isEqualTo(4);
        assertThat(message.get("header").get("Content-Type").get(0).asText()).isEqualTo("application/json");
        assertThat(client.call("DELETE", "/v2/messages/" + id).status()).isEqualTo(202);
        assertThat(client.call("GET", "/v2/messages/" + id).status()).isEqualTo(404);
        assertThat(client.call("DELETE", "/v2/messages/" + id).status()).isEqualTo(404);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(emulator.stats().pending()).isZero();
    }

    @Test
    void every_api_call_needs_the_bearer_token_and_keys_are_served_to_it() {
        assertThat(client.call("GET", "/v2/keys", null, null).status()).isEqualTo(401);
        assertThat(client.call("GET", "/v2/keys", null, "wrong").status()).isEqualTo(401);
        assertThat(client.call("POST", "/v2/publish/" + endpoint.url("/x"), "x", "wrong")
                        .status())
                .isEqualTo(401);
        JsonNode keys = client.call("GET", "/v2/keys").json();
        assertThat(keys.get("current").asText()).isEqualTo(QStashEmulator.DEV_CURRENT_SIGNING_KEY);
        assertThat(keys.get("next").asText()).isEqualTo(QStashEmulator.DEV_NEXT_SIGNING_KEY);
        assertThat(client.call("GET", "/v2/nothing").status()).isEqualTo(404);
        assertThat(client.call("GET", "/v2/batch").status()).isEqualTo(405);
        assertThat(endpoint.requests()).isEmpty();
    }

    @Test
    void a_destination_must_be_an_absolute_http_url() {
        assertThat(client.publish("example.com/x", "x", Map.of()).status()).isEqualTo(400);
        assertThat(client.publish("ftp://example.com/x", "x", Map.of()).status())
                .isEqualTo(400);
    }

    @Test
    void a_batch_publishes_every_entry_and_reads_headers_in_any_case() throws Exception {
        endpoint.respondWith(r ->
                r.path().startsWith("/b") && r.header("Upstash-Retried").equals("0") ? Reply.status(500) : Reply.ok());
        String batch = "[{\"destination\":\"" + endpoint.url("/a") + "\",\"body\":\"one\","
                + "\"headers\":{\"content-type\":\"text/plain\",\"upstash-forward-x-k\":\"v\"}},"
                + "{\"destination\":\"" + endpoint.url("/b") + "\",\"body\":\"two\","
                + "\"headers\":{\"upstash-retries\":\"1\",\"upstash-retry-delay\":\"5\"}}]";
        Answer answer = client.call("POST", "/v2/batch", batch, emulator.token());
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json()).hasSize(2);
        assertThat(answer.json().get(0).get("messageId").asText()).startsWith("msg_");
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        Request a = endpoint.requests("/a").get(0);
        assertThat(a.bodyText()).isEqualTo("one");
        assertThat(a.header("Content-Type")).isEqualTo("text/plain");
        assertThat(a.header("X-K")).isEqualTo("v");
        assertThat(endpoint.requests("/b"))
                .extracting(r -> r.header("Upstash-Retried"))
                .containsExactly("0", "1");
        assertThat(client.call("POST", "/v2/batch", "{}", emulator.token()).status())
                .isEqualTo(400);
    }

    @Test
    void fault_injection_can_fail_every_publish_with_500() throws Exception {
        restart(QStashEmulator.newBuilder().timeScale(0.001).failPublishFraction(1.0));
        Answer answer = client.publish(endpoint.url("/hook"), "x", Map.of());
        assertThat(answer.status()).isEqualTo(500);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(endpoint.requests()).isEmpty();
        assertThat(emulator.stats().failedPublishes()).isEqualTo(1);
    }

    @Test
    void fault_injection_delivers_every_message_twice_with_the_same_id() throws Exception {
        restart(QStashEmulator.newBuilder()
                .timeScale(0.001)
                .duplicateDeliveries(true)
                .randomOrder(true)
                .deliveryDelay(Duration.ofMillis(5))
                .seed(42));
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            ids.add(client.publish(endpoint.url("/hook/" + i), "m" + i, Map.of())
                    .json()
                    .get("messageId")
                    .asText());
        }
        endpoint.await("/hook", 12);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        List<Request> all = endpoint.requests("/hook");
        assertThat(all).hasSize(12);
        for (String id : ids) {
            assertThat(all)
                    .filteredOn(r -> r.header("Upstash-Message-Id").equals(id))
                    .hasSize(2);
        }
        assertThat(emulator.stats().delivered()).isEqualTo(6);
    }

    @Test
    void a_full_queue_answers_429_with_a_reset_header() {
        restart(QStashEmulator.newBuilder().timeScale(1.0).maxPendingMessages(1));
        assertThat(client.publish(endpoint.url("/hook"), "x", Map.of("Upstash-Delay", "1h"))
                        .status())
                .isEqualTo(201);
        Answer full = client.publish(endpoint.url("/hook"), "y", Map.of());
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.raw().headers().firstValue("Burst-RateLimit-Reset")).isPresent();
    }

    @Test
    void a_delay_or_not_before_too_far_ahead_is_400_keeps_nothing_and_good_publishes_still_go_through()
            throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-02-01T10:00:00Z"));
        restart(QStashEmulator.newBuilder().timeScale(0.001).clock(clock).maxPendingMessages(2));
        long nowSeconds = clock.millis() / 1000;
        List<Map<String, String>> tooFar = List.of(
                Map.of("Upstash-Delay", "1000000d"),
                Map.of("Upstash-Delay", "366d"),
                Map.of("Upstash-Delay", "99999999999999999999d"),
                Map.of("Upstash-Not-Before", "99999999999999"),
                Map.of("Upstash-Not-Before", Long.toString(Long.MAX_VALUE)),
                Map.of("Upstash-Not-Before", Long.toString(nowSeconds + 366 * 86_400L)));

        for (int round = 0; round < 3; round++) {
            for (Map<String, String> headers : tooFar) {
                Answer refused = client.publish(endpoint.url("/hook"), "x", headers);
                assertThat(refused.status()).as("%s", headers).isEqualTo(400);
                assertThat(refused.json().get("error").asText())
                        .as("%s", headers)
                        .contains(headers.keySet().iterator().next(), "365d");
            }
        }

        assertThat(emulator.stats().pending()).isZero();
        assertThat(emulator.awaitIdle(Duration.ZERO)).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(client.publish(endpoint.url("/hook"), "ok", Map.of()).status())
                    .isEqualTo(201);
        }
        endpoint.await("/hook", 3);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(endpoint.requests()).extracting(Request::bodyText).containsOnly("ok");
    }

    @Test
    void a_delay_or_not_before_of_a_year_is_accepted() {
        SettableClock clock = new SettableClock(Instant.parse("2026-02-01T10:00:00Z"));
        restart(QStashEmulator.newBuilder().timeScale(1.0).clock(clock));
        long now = clock.millis();
        String delayed = publishedId("/a", "x", Map.of("Upstash-Delay", "365d"));
        String notBefore =
                publishedId("/b", "x", Map.of("Upstash-Not-Before", Long.toString(now / 1000 + 365 * 86_400L)));

        long yearLater = now + Duration.ofDays(365).toMillis();
        assertThat(client.call("GET", "/v2/messages/" + delayed)
                        .json()
                        .get("notBefore")
                        .asLong())
                .isEqualTo(yearLater);
        assertThat(client.call("GET", "/v2/messages/" + notBefore)
                        .json()
                        .get("notBefore")
                        .asLong())
                .isEqualTo(yearLater);
        assertThat(client.call("DELETE", "/v2/messages/" + delayed).status()).isEqualTo(202);
        assertThat(client.call("DELETE", "/v2/messages/" + notBefore).status()).isEqualTo(202);
        assertThat(emulator.stats().pending()).isZero();
    }

    @Test
    void a_timeout_of_any_length_qstash_can_parse_is_delivered_and_kept_no_longer() throws Exception {
        for (String timeout : List.of("999999999999", "1000000000d")) {
            assertThat(client.publish(endpoint.url("/hook"), timeout, Map.of("Upstash-Timeout", timeout))
                            .status())
                    .isEqualTo(201);
        }
        assertThat(client.publish(endpoint.url("/hook"), "x", Map.of("Upstash-Timeout", "99999999999999999999d"))
                        .status())
                .isEqualTo(400);

        endpoint.await("/hook", 2);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(emulator.stats().pending()).isZero();
    }

    @Test
    void a_batch_with_one_entry_too_far_ahead_is_400_and_keeps_none_of_its_entries() throws Exception {
        String batch = "[{\"destination\":\"" + endpoint.url("/now") + "\",\"body\":\"one\"},"
                + "{\"destination\":\"" + endpoint.url("/never") + "\",\"body\":\"two\","
                + "\"headers\":{\"Upstash-Delay\":\"1000000d\"}}]";

        Answer answer = client.call("POST", "/v2/batch", batch, emulator.token());

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().get("error").asText()).contains("Upstash-Delay");
        assertThat(emulator.stats().pending()).isZero();
        assertThat(emulator.stats().published()).isZero();
    }

    @Test
    void a_destination_or_callback_with_a_port_out_of_range_is_400_and_keeps_nothing() {
        Answer destination = client.publish("http://127.0.0.1:99999/hook", "x", Map.of());
        Answer callback = client.publish(
                endpoint.url("/hook"), "x", Map.of("Upstash-Failure-Callback", "http://127.0.0.1:70000/cb"));

        assertThat(destination.status()).isEqualTo(400);
        assertThat(destination.json().get("error").asText()).contains("port");
        assertThat(callback.status()).isEqualTo(400);
        assertThat(callback.json().get("error").asText()).contains("Upstash-Failure-Callback", "port");
        assertThat(emulator.stats().pending()).isZero();
    }

    @Test
    void an_oversized_body_is_refused_with_413() {
        restart(QStashEmulator.newBuilder().maxBodyBytes(10));
        assertThat(client.publish(endpoint.url("/hook"), "x".repeat(11), Map.of())
                        .status())
                .isEqualTo(413);
    }

    @Test
    void invalid_retry_headers_are_refused() {
        assertThat(client.publish(endpoint.url("/h"), "x", Map.of("Upstash-Retries", "-1"))
                        .status())
                .isEqualTo(400);
        assertThat(client.publish(endpoint.url("/h"), "x", Map.of("Upstash-Retries", "many"))
                        .status())
                .isEqualTo(400);
        assertThat(client.publish(endpoint.url("/h"), "x", Map.of("Upstash-Retry-Delay", "pow(2"))
                        .status())
                .isEqualTo(400);
        assertThat(client.publish(endpoint.url("/h"), "x", Map.of("Upstash-Retry-Delay", "rand()"))
                        .status())
                .isEqualTo(400);
    }

    @Test
    void close_releases_the_port() {
        int port = emulator.port();
        emulator.close();
        emulator = QStashEmulator.newBuilder().port(port).start();
        assertThat(emulator.port()).isEqualTo(port);
        assertThat(emulator.url().toString()).isEqualTo("http://127.0.0.1:" + port);
    }
}
