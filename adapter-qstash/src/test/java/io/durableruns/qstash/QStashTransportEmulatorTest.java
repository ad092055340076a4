package io.durableruns.qstash;

import static io.durableruns.qstash.TransportFixtures.addIntent;
import static io.durableruns.qstash.TransportFixtures.intentCount;
import static io.durableruns.qstash.TransportFixtures.intentId;
import static io.durableruns.qstash.TransportFixtures.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.out.DispatchTransport.Task;
import io.durableruns.ports.out.RunStore;
import io.durableruns.qstash.RecordingEndpoint.Reply;
import io.durableruns.qstash.RecordingEndpoint.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transport publishing to the local emulator, which delivers to a stand-in of the job endpoints. */
class QStashTransportEmulatorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final RecordingEndpoint server = new RecordingEndpoint();
    private final RunStore store = TransportFixtures.newStore();
    private QStashEmulator emulator =
            QStashEmulator.newBuilder().port(0).timeScale(0.001).start();
    private final ListAppender<ILoggingEvent> logs = TransportFixtures.captureLogs(QStashTransport.class);

    @AfterEach
    void close() {
        emulator.close();
        server.close();
        TransportFixtures.stopCapturing(QStashTransport.class, logs);
    }

    private QStashConfig config() {
        return emulator.config(server.url(""));
    }

    /** One pass of a transport over {@code on}: takes what is due and publishes it; returns the tasks run. */
    private int publishOnce(RunStore on, QStashConfig config) {
        QStashTransport transport = QStashTransport.newBuilder().config(config).build();
        transport.bind("relay-test", TransportFixtures.engine(on, java.time.Clock.systemUTC()), at -> {});
        List<Task> tasks = transport.take(1);
        tasks.forEach(Task::run);
        return tasks.size();
    }

    @Test
    void every_intent_is_delivered_once_to_the_step_endpoint_with_a_valid_signature() throws Exception {
        Instant now = Instant.now();
        for (int i = 1; i <= 5; i++) {
            addIntent(store, i, "plan", now.plusMillis(i), now);
        }
        assertThat(publishOnce(store, config())).isEqualTo(1);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        List<Request> deliveries = server.requests("/api/jobs/run-step");
        assertThat(deliveries).hasSize(5);
        QStashVerifier verifier = QStashVerifier.forStepEndpoint(config());
        for (Request d : deliveries) {
            assertThat(verifier.check(d.header("Upstash-Signature"), d.body())).isEqualTo(QStashVerifier.Reason.OK);
        }
        assertThat(deliveries)
                .extracting(
                        d -> EmulatorClient.JSON.readTree(d.body()).get("runId").asText())
                .containsExactlyInAnyOrder(runId(1), runId(2), runId(3), runId(4), runId(5));
        assertThat(intentCount(store)).isZero();
    }

    @Test
    void a_relay_killed_between_publish_and_delete_publishes_again_and_qstash_drops_the_duplicate() throws Exception {
        Instant now = Instant.now();
        addIntent(store, 1, "plan", now, now);
        assertThatThrownBy(() -> publishOnce(TransportFixtures.killedBeforeDelete(store), config()))
                .hasMessageContaining("killed");
        assertThat(intentCount(store)).isEqualTo(1);
        assertThat(publishOnce(store, config()))
                .as("leased until the lease runs out")
                .isZero();

        store.inTransaction(tx -> {
            tx.intents().releaseUntil(List.of(intentId(1)), now);
            return null;
        });
        assertThat(publishOnce(store, config())).isEqualTo(1);
        assertThat(intentCount(store)).isZero();
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(emulator.stats().published()).isEqualTo(1);
        assertThat(emulator.stats().deduplicated()).isEqualTo(1);
        assertThat(server.requests("/api/jobs/run-step")).hasSize(1);
    }

    @Test
    void a_wrong_token_is_a_configuration_error_that_keeps_the_intent_and_hides_the_token() throws Exception {
        Instant now = Instant.now();
        addIntent(store, 1, "plan", now, now);
        String wrongToken = "wrong-token-value-0123456789";
        QStashConfig config = QStashConfig.newBuilder()
                .qstashUrl(emulator.url().toString())
                .token(wrongToken)
                .currentSigningKey(emulator.currentSigningKey())
                .nextSigningKey(emulator.nextSigningKey())
                .publicUrl(server.url(""))
                .build();
        publishOnce(store, config);
        assertThat(intentCount(store)).isEqualTo(1);
        assertThat(logs.list)
                .filteredOn(e -> e.getLevel() == Level.ERROR)
                .singleElement()
                .satisfies(e ->
                        assertThat(e.getFormattedMessage()).contains("HTTP 401").doesNotContain(wrongToken));
    }

    @Test
    void a_message_qstash_refuses_is_set_aside_with_the_reason_and_fails_its_run() throws Exception {
        emulator.close();
        emulator = QStashEmulator.newBuilder()
                .port(0)
                .timeScale(0.001)
                .defaultRetries(2)
                .maxRetries(2)
                .start();
        RunEngine engine = TransportFixtures.engine(store, java.time.Clock.systemUTC());
        String id =
                engine.create(CreateRunCommand.of("research", null)).run().run().id();
        publishOnce(store, config());
        assertThat(intentCount(store)).isZero();
        assertThat(engine.find(id).orElseThrow().run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(engine.find(id)
                        .orElseThrow()
                        .step("plan")
                        .orElseThrow()
                        .error()
                        .message())
                .contains("HTTP 400", "Upstash-Retries");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void when_qstash_gives_up_the_failure_endpoint_gets_a_signed_callback_with_the_original_message() throws Exception {
        server.respondWith(r -> r.path().startsWith("/api/jobs/run-step") ? Reply.status(503) : Reply.ok());
        Instant now = Instant.now();
        addIntent(store, 1, "draft", now, now);
        assertThat(publishOnce(store, config())).isEqualTo(1);
        Request callback = server.await("/api/jobs/step-failed", 1).get(0);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        assertThat(server.requests("/api/jobs/run-step"))
                .as("the delivery and its 5 transport retries")
                .hasSize(6);
        assertThat(QStashVerifier.forFailureCallback(config())
                        .check(callback.header("Upstash-Signature"), callback.body()))
                .isEqualTo(QStashVerifier.Reason.OK);
        assertThat(QStashVerifier.forStepEndpoint(config())
                        .check(callback.header("Upstash-Signature"), callback.body()))
                .isEqualTo(QStashVerifier.Reason.WRONG_SUBJECT);
        JsonNode payload = EmulatorClient.JSON.readTree(callback.body());
        JsonNode original = EmulatorClient.JSON.readTree(
                new String(Base64.getDecoder().decode(payload.get("sourceBody").asText()), StandardCharsets.UTF_8));
        assertThat(original.get("runId").asText()).isEqualTo(runId(1));
        assertThat(original.get("step").asText()).isEqualTo("draft");
        assertThat(payload.get("status").asInt()).isEqualTo(503);
        assertThat(original.get("attempt").asInt()).isEqualTo(1);
        assertThat(payload.get("maxRetries").asInt()).isEqualTo(5);
    }
}
