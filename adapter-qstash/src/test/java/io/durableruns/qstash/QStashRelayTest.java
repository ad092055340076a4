package io.durableruns.qstash;

import static io.durableruns.qstash.RelayFixtures.addIntent;
import static io.durableruns.qstash.RelayFixtures.intentCount;
import static io.durableruns.qstash.RelayFixtures.intentId;
import static io.durableruns.qstash.RelayFixtures.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.out.RunStore;
import io.durableruns.qstash.RecordingEndpoint.Reply;
import io.durableruns.qstash.RecordingEndpoint.Request;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay against a recording stand-in for QStash, to see exactly what it sends and how it reacts. */
class QStashRelayTest {
    private static final String TOKEN = "qstash-token-that-must-never-be-logged-0123456789";
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");
    private static final String PUBLISH_PATH = "/v2/publish/https://runs.example.com/api/jobs/run-step";

    private final SettableClock clock = new SettableClock(T0);
    private final RunStore store = RelayFixtures.newStore();
    private final RecordingEndpoint qstash = new RecordingEndpoint(RecordingEndpointReplies::accepted);
    private final ListAppender<ILoggingEvent> logs = RelayFixtures.captureLogs(QStashRelay.class);

    @AfterEach
    void close() {
        qstash.close();
        RelayFixtures.stopCapturing(QStashRelay.class, logs);
    }

    private QStashConfig config(String qstashUrl) {
        return QStashConfig.newBuilder()
                .qstashUrl(qstashUrl)
                .token(TOKEN)
                .currentSigningKey(DevCredentials.CURRENT_KEY)
                .nextSigningKey(DevCredentials.NEXT_KEY)
                .publicUrl("https://runs.example.com")
                .build();
    }

    private QStashRelay relay() {
        return relay(config(qstash.url("")));
    }

    private QStashRelay relay(QStashConfig config) {
        return QStashRelay.newBuilder()
                .config(config)
                .store(store)
                .catalog(RelayFixtures.CATALOG)
                .clock(clock)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(8))
                .rejectedPause(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void publishes_one_ready_intent_with_ids_only_and_headers_from_the_step_policy() throws Exception {
        addIntent(store, 1, "plan", T0, T0);
        assertThat(relay().relayOnce()).isEqualTo(1);
        assertThat(intentCount(store)).isZero();

        List<Request> requests = qstash.requests();
        assertThat(requests).hasSize(1);
        Request publish = requests.get(0);
        assertThat(publish.method()).isEqualTo("POST");
        assertThat(publish.path()).isEqualTo(PUBLISH_PATH);
        assertThat(publish.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(publish.header("Content-Type")).isEqualTo("application/json");
        assertThat(publish.header("Upstash-Deduplication-Id")).isEqualTo(intentId(1));
        assertThat(publish.header("Upstash-Retries")).isEqualTo("3");
        assertThat(publish.header("Upstash-Retry-Delay")).isEqualTo("min(30000, 2000 * pow(2, retried))");
        assertThat(publish.header("Upstash-Timeout")).isEqualTo("65s");
        assertThat(publish.header("Upstash-Failure-Callback"))
                .isEqualTo("https://runs.example.com/api/jobs/step-failed");
        assertThat(publish.header("Upstash-Not-Before")).isNull();
        JsonNode body = EmulatorClient.JSON.readTree(publish.body());
        assertThat(body.toString())
                .isEqualTo("{\"runId\":\"" + runId(1) + "\",\"step\":\"plan\",\"graph\":\"research\",\"version\":1}");
    }

    @Test
    void an_intent_due_later_is_published_now_with_not_before_rounded_up() {
        addIntent(store, 2, "draft", T0, T0.plusMillis(10_500));
        assertThat(relay().relayOnce()).isEqualTo(1);
        Request publish = qstash.requests().get(0);
        assertThat(publish.header("Upstash-Not-Before")).isEqualTo(Long.toString(T0.getEpochSecond() + 11));
        assertThat(publish.header("Upstash-Retries")).isEqualTo("0");
        assertThat(publish.header("Upstash-Retry-Delay")).isEqualTo("1500");
        assertThat(publish.header("Upstash-Timeout")).isNull();
    }

    @Test
    void several_ready_intents_go_in_one_batch_request() throws Exception {
        for (int i = 1; i <= 3; i++) {
            addIntent(store, i, "plan", T0.plusMillis(i), T0);
        }
        assertThat(relay().relayOnce()).isEqualTo(3);
        assertThat(intentCount(store)).isZero();
        List<Request> requests = qstash.requests();
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).path()).isEqualTo("/v2/batch");
        JsonNode batch = EmulatorClient.JSON.readTree(requests.get(0).body());
        assertThat(batch).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode entry = batch.get(i);
            assertThat(entry.get("destination").asText()).isEqualTo("https://runs.example.com/api/jobs/run-step");
            assertThat(entry.get("headers").get("Upstash-Deduplication-Id").asText())
                    .isEqualTo(intentId(i + 1));
            assertThat(EmulatorClient.JSON
                            .readTree(entry.get("body").asText())
                            .get("runId")
                            .asText())
                    .isEqualTo(runId(i + 1));
        }
    }

    @Test
    void batch_entries_refused_one_by_one_stay_pending() {
        qstash.respondWith(r -> new Reply(200, Map.of(), "[{\"messageId\":\"msg_1\"},{\"error\":\"invalid header\"}]"));
        addIntent(store, 1, "plan", T0, T0);
        addIntent(store, 2, "plan", T0.plusMillis(1), T0);
        assertThat(relay().relayOnce()).isEqualTo(1);
        List<DispatchIntent> left = store.inTransaction(tx -> tx.intents().lockOldest(10));
        assertThat(left).extracting(DispatchIntent::id).containsExactly(intentId(2));
    }

    @Test
    void server_errors_keep_intents_pending_and_are_retried_after_a_backoff() {
        qstash.respondWith(r -> qstash.requests().isEmpty() ? Reply.status(503) : RecordingEndpointReplies.accepted(r));
        addIntent(store, 1, "plan", T0, T0);
        QStashRelay relay = relay();
        assertThat(relay.relayOnce()).isZero();
        assertThat(intentCount(store)).isEqualTo(1);
        assertThat(relay.relayOnce()).isZero();
        assertThat(qstash.requests()).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(relay.relayOnce()).isEqualTo(1);
        assertThat(intentCount(store)).isZero();
    }

    @Test
    void an_unreachable_qstash_keeps_intents_pending() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        addIntent(store, 1, "plan", T0, T0);
        assertThat(relay(config("http://127.0.0.1:" + port)).relayOnce()).isZero();
        assertThat(intentCount(store)).isEqualTo(1);
        assertThat(logs.list)
                .anyMatch(e ->
                        e.getLevel() == Level.WARN && e.getFormattedMessage().contains("unreachable"));
    }

    @Test
    void a_rate_limit_waits_for_the_reset_header() {
        long reset = T0.getEpochSecond() + 30;
        qstash.respondWith(r -> qstash.requests().isEmpty()
                ? new Reply(429, Map.of("Burst-RateLimit-Reset", Long.toString(reset)), "{\"error\":\"rate limited\"}")
                : RecordingEndpointReplies.accepted(r));
        addIntent(store, 1, "plan", T0, T0);
        QStashRelay relay = relay();
        assertThat(relay.relayOnce()).isZero();
        clock.advance(Duration.ofSeconds(20));
        assertThat(relay.relayOnce()).isZero();
        assertThat(qstash.requests()).hasSize(1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(relay.relayOnce()).isEqualTo(1);
    }

    @Test
    void a_configuration_error_keeps_intents_pending_and_is_logged_once_without_the_token() {
        qstash.respondWith(r -> new Reply(401, Map.of(), "{\"error\":\"Unauthorized\"}"));
        addIntent(store, 1, "plan", T0, T0);
        QStashRelay relay = relay();
        assertThat(relay.relayOnce()).isZero();
        clock.advance(Duration.ofSeconds(31));
        assertThat(relay.relayOnce()).isZero();
        assertThat(qstash.requests()).hasSize(2);
        assertThat(intentCount(store)).isEqualTo(1);
        List<ILoggingEvent> errors =
                logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getFormattedMessage())
                .contains("401")
                .contains("QSTASH_TOKEN")
                .contains("Unauthorized");
        assertThat(logs.list)
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(TOKEN));
    }

    @Test
    void an_intent_whose_run_is_gone_is_dropped_without_publishing() {
        store.inTransaction(tx -> {
            tx.intents().insertAll(List.of(new DispatchIntent(intentId(9), runId(9), "plan", T0, T0)));
            return null;
        });
        assertThat(relay().relayOnce()).isEqualTo(1);
        assertThat(intentCount(store)).isZero();
        assertThat(qstash.requests()).isEmpty();
    }

    @Test
    void the_relay_thread_publishes_when_the_engine_signals_a_commit() throws Exception {
        try (QStashRelay relay = QStashRelay.newBuilder()
                .config(config(qstash.url("")))
                .store(store)
                .catalog(RelayFixtures.CATALOG)
                .pollInterval(Duration.ofHours(1))
                .build()
                .start()) {
            Thread.sleep(50);
            addIntent(store, 1, "plan", Instant.now(), Instant.now());
            relay.intentsCommitted(Instant.now());
            qstash.await("/v2/publish/", 1);
        }
        assertThat(intentCount(store)).isZero();
    }

    @Test
    void invalid_settings_are_refused_at_build_time_naming_the_field() {
        assertThatThrownBy(() -> QStashRelay.newBuilder()
                        .config(config(qstash.url("")))
                        .store(store)
                        .catalog(RelayFixtures.CATALOG)
                        .batchSize(101)
                        .build())
                .isInstanceOf(QStashConfigurationException.class)
                .hasMessageContaining("batchSize");
        assertThatThrownBy(() -> QStashRelay.newBuilder()
                        .store(store)
                        .catalog(RelayFixtures.CATALOG)
                        .build())
                .isInstanceOf(QStashConfigurationException.class);
    }
}
