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
import io.durableruns.core.dispatch.Dispatcher;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.out.DispatchTransport.Task;
import io.durableruns.ports.out.RunStore;
import io.durableruns.qstash.RecordingEndpoint.Reply;
import io.durableruns.qstash.RecordingEndpoint.Request;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The QStash transport against a recording stand-in for QStash, to see exactly what it sends and how it reacts. */
class QStashTransportTest {
    private static final String TOKEN = "qstash-token-that-must-never-be-logged-0123456789";
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");
    private static final String PUBLISH_PATH = "/v2/publish/https://runs.example.com/api/jobs/run-step";

    private final SettableClock clock = new SettableClock(T0);
    private final RunStore store = TransportFixtures.newStore();
    private final RunEngine engine = TransportFixtures.engine(store, clock);
    private final RecordingEndpoint qstash = new RecordingEndpoint(RecordingEndpointReplies::accepted);
    private final ListAppender<ILoggingEvent> logs = TransportFixtures.captureLogs(QStashTransport.class);

    @AfterEach
    void close() {
        qstash.close();
        TransportFixtures.stopCapturing(QStashTransport.class, logs);
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

    private QStashTransport transport() {
        return transport(config(qstash.url("")));
    }

    private QStashTransport transport(QStashConfig config) {
        QStashTransport transport = QStashTransport.newBuilder()
                .config(config)
                .clock(clock)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(8))
                .rejectedPause(Duration.ofSeconds(30))
                .build();
        transport.bind("relay-test", engine, at -> {});
        return transport;
    }

    /** One pass, as a dispatcher worker runs it: takes what is due and publishes it; returns the intents taken. */
    private static int publishOnce(QStashTransport transport) {
        List<Task> tasks = transport.take(1);
        tasks.forEach(Task::run);
        return tasks.size();
    }

    @Test
    void publishes_one_intent_naming_its_attempt_with_transport_only_redeliveries() throws Exception {
        addIntent(store, 1, "plan", T0, T0);
        assertThat(publishOnce(transport())).isEqualTo(1);
        assertThat(intentCount(store)).isZero();

        List<Request> requests = qstash.requests();
        assertThat(requests).hasSize(1);
        Request publish = requests.get(0);
        assertThat(publish.method()).isEqualTo("POST");
        assertThat(publish.path()).isEqualTo(PUBLISH_PATH);
        assertThat(publish.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(publish.header("Content-Type")).isEqualTo("application/json");
        assertThat(publish.header("Upstash-Deduplication-Id")).isEqualTo(intentId(1));
        assertThat(publish.header("Upstash-Retries")).isEqualTo("5");
        assertThat(publish.header("Upstash-Retry-Delay")).isEqualTo("min(30000, 1000 * pow(2, retried))");
        assertThat(publish.header("Upstash-Timeout")).isEqualTo("65s");
        assertThat(publish.header("Upstash-Failure-Callback"))
                .isEqualTo("https://runs.example.com/api/jobs/step-failed");
        assertThat(publish.header("Upstash-Not-Before")).isNull();
        JsonNode body = EmulatorClient.JSON.readTree(publish.body());
        assertThat(body.toString())
                .isEqualTo("{\"runId\":\"" + runId(1)
                        + "\",\"step\":\"plan\",\"attempt\":1,\"graph\":\"research\",\"version\":1}");
    }

    @Test
    void an_intent_due_later_is_published_now_with_not_before_rounded_up() {
        addIntent(store, 2, "draft", T0, T0.plusMillis(10_500));
        assertThat(publishOnce(transport())).isEqualTo(1);
        Request publish = qstash.requests().get(0);
        assertThat(publish.header("Upstash-Not-Before")).isEqualTo(Long.toString(T0.getEpochSecond() + 11));
        assertThat(publish.header("Upstash-Timeout")).isEqualTo("305s");
    }

    @Test
    void a_retry_is_a_new_message_for_the_next_attempt_due_at_the_end_of_its_backoff() throws Exception {
        String id =
                engine.create(CreateRunCommand.of("research", null)).run().run().id();
        QStashTransport transport = transport();
        publishOnce(transport);
        engine.giveUp(new io.durableruns.ports.in.StepMessage(id, "plan", 1), "server down for every redelivery");
        publishOnce(transport);

        List<Request> requests = qstash.requests();
        assertThat(requests).hasSize(2);
        JsonNode retry = EmulatorClient.JSON.readTree(requests.get(1).body());
        assertThat(retry.get("attempt").asInt()).isEqualTo(2);
        assertThat(requests.get(1).header("Upstash-Deduplication-Id"))
                .isNotEqualTo(requests.get(0).header("Upstash-Deduplication-Id"));
        assertThat(Long.parseLong(requests.get(1).header("Upstash-Not-Before"))).isGreaterThan(T0.getEpochSecond());
    }

    @Test
    void several_intents_go_in_one_batch_request() throws Exception {
        for (int i = 1; i <= 3; i++) {
            addIntent(store, i, "plan", T0.plusMillis(i), T0);
        }
        assertThat(publishOnce(transport())).isEqualTo(1);
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
    void a_refused_message_is_set_aside_its_step_fails_with_the_reason_and_the_others_flow_on() {
        String refused =
                engine.create(CreateRunCommand.of("research", null)).run().run().id();
        String fine =
                engine.create(CreateRunCommand.of("research", null)).run().run().id();
        qstash.respondWith(r ->
                new Reply(200, Map.of(), "[{\"error\":\"delay exceeds the plan's limit\"},{\"messageId\":\"msg_2\"}]"));

        publishOnce(transport());

        assertThat(intentCount(store)).isZero();
        StepRecord plan = engine.find(refused).orElseThrow().step("plan").orElseThrow();
        assertThat(plan.status()).isEqualTo(StepStatus.FAILED);
        assertThat(plan.error().type()).isEqualTo("DispatchRefused");
        assertThat(plan.error().message()).contains("delay exceeds the plan's limit");
        assertThat(engine.find(refused).orElseThrow().run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(engine.timeline(refused))
                .extracting(TimelineEvent::type)
                .contains(EventType.STEP_DELIVERY_GIVEN_UP, EventType.STEP_FAILED, EventType.RUN_FAILED);
        assertThat(engine.find(fine).orElseThrow().step("plan").orElseThrow().status())
                .isEqualTo(StepStatus.QUEUED);
    }

    @Test
    void a_400_for_a_whole_batch_is_narrowed_to_the_message_that_caused_it() throws Exception {
        String bad =
                engine.create(CreateRunCommand.of("research", null)).run().run().id();
        String good =
                engine.create(CreateRunCommand.of("research", null)).run().run().id();
        qstash.respondWith(r -> r.path().equals("/v2/batch") || new String(r.body()).contains(bad)
                ? new Reply(400, Map.of(), "{\"error\":\"invalid Upstash-Not-Before\"}")
                : RecordingEndpointReplies.accepted(r));

        publishOnce(transport());

        assertThat(qstash.requests())
                .extracting(Request::path)
                .containsExactly("/v2/batch", PUBLISH_PATH, PUBLISH_PATH);
        assertThat(intentCount(store)).isZero();
        assertThat(engine.find(bad).orElseThrow().run().status()).isEqualTo(RunStatus.FAILED);
        assertThat(engine.find(good).orElseThrow().run().status()).isEqualTo(RunStatus.QUEUED);
        assertThat(logs.list)
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(TOKEN));
    }

    @Test
    void server_errors_keep_intents_pending_and_offer_them_again_after_a_backoff() {
        qstash.respondWith(r -> qstash.requests().isEmpty() ? Reply.status(503) : RecordingEndpointReplies.accepted(r));
        addIntent(store, 1, "plan", T0, T0);
        QStashTransport transport = transport();
        assertThat(publishOnce(transport)).isEqualTo(1);
        assertThat(intentCount(store)).isEqualTo(1);
        assertThat(transport.nextDueAt()).contains(T0.plusSeconds(1));
        assertThat(publishOnce(transport)).isZero();
        assertThat(qstash.requests()).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(publishOnce(transport)).isEqualTo(1);
        assertThat(intentCount(store)).isZero();
    }

    @Test
    void an_unreachable_qstash_keeps_intents_pending() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        addIntent(store, 1, "plan", T0, T0);
        publishOnce(transport(config("http://127.0.0.1:" + port)));
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
        QStashTransport transport = transport();
        publishOnce(transport);
        clock.advance(Duration.ofSeconds(20));
        assertThat(publishOnce(transport)).isZero();
        assertThat(transport.nextDueAt()).contains(T0.plusSeconds(30));
        assertThat(qstash.requests()).hasSize(1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(publishOnce(transport)).isEqualTo(1);
        assertThat(intentCount(store)).isZero();
    }

    @Test
    void refused_credentials_stop_publishing_loudly_keep_the_intents_and_never_log_the_token() {
        qstash.respondWith(r -> new Reply(401, Map.of(), "{\"error\":\"Unauthorized\"}"));
        addIntent(store, 1, "plan", T0, T0);
        QStashTransport transport = transport();
        publishOnce(transport);
        assertThat(transport.ready()).isFalse();
        assertThat(transport.configurationError()).get().asString().contains("401", "QSTASH_TOKEN");
        assertThat(publishOnce(transport)).isZero();
        clock.advance(Duration.ofSeconds(31));
        publishOnce(transport);
        assertThat(qstash.requests()).hasSize(2);
        assertThat(intentCount(store)).isEqualTo(1);
        List<ILoggingEvent> errors =
                logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0).getFormattedMessage())
                .contains("401")
                .contains("QSTASH_TOKEN")
                .contains("Unauthorized");
        assertThat(logs.list)
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(TOKEN));

        qstash.respondWith(RecordingEndpointReplies::accepted);
        clock.advance(Duration.ofSeconds(31));
        publishOnce(transport);
        assertThat(transport.ready()).isTrue();
        assertThat(intentCount(store)).isZero();
    }

    @Test
    void an_intent_whose_run_finished_or_is_gone_is_dropped_without_publishing() {
        store.inTransaction(tx -> {
            tx.intents().insertAll(List.of(new DispatchIntent(intentId(9), runId(9), "plan", 1, T0, T0)));
            return null;
        });
        String cancelled =
                engine.create(CreateRunCommand.of("research", null)).run().run().id();
        engine.cancel(cancelled);
        publishOnce(transport());
        assertThat(intentCount(store)).isZero();
        assertThat(qstash.requests()).isEmpty();
    }

    @Test
    void publishing_happens_outside_any_store_transaction() throws Exception {
        CountDownLatch publishing = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        qstash.respondWith(r -> {
            publishing.countDown();
            try {
                answer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return RecordingEndpointReplies.accepted(r);
        });
        engine.create(CreateRunCommand.of("research", null));
        CompletableFuture<Integer> pass = CompletableFuture.supplyAsync(() -> publishOnce(transport()));
        assertThat(publishing.await(30, TimeUnit.SECONDS)).isTrue();

        String created = CompletableFuture.supplyAsync(() -> engine.create(CreateRunCommand.of("research", null))
                        .run()
                        .run()
                        .id())
                .get(10, TimeUnit.SECONDS);

        answer.countDown();
        assertThat(pass.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(engine.find(created)).isPresent();
        assertThat(intentCount(store)).isEqualTo(1);
    }

    @Test
    void a_dispatcher_publishes_as_soon_as_the_engine_commits_intents() throws Exception {
        QStashTransport transport =
                QStashTransport.newBuilder().config(config(qstash.url(""))).build();
        RunStore systemClockStore = TransportFixtures.newStore();
        Dispatcher dispatcher = Dispatcher.builder()
                .transport(transport)
                .workers(2)
                .pollInterval(Duration.ofHours(1))
                .build();
        RunEngine live = io.durableruns.core.engine.RunEngine.builder()
                .store(systemClockStore)
                .registry(new io.durableruns.core.graph.GraphRegistry().register(TransportFixtures.RESEARCH))
                .dispatchSignal(dispatcher)
                .build();
        try (dispatcher) {
            dispatcher.start(live);
            qstash.await("/v2/", 0);
            live.create(CreateRunCommand.of("research", null));
            qstash.await("/v2/publish/", 1);
        }
        assertThat(intentCount(systemClockStore)).isZero();
    }

    @Test
    void invalid_settings_are_refused_at_build_time_naming_the_field() {
        assertThatThrownBy(() -> QStashTransport.newBuilder()
                        .config(config(qstash.url("")))
                        .batchSize(101)
                        .build())
                .isInstanceOf(QStashConfigurationException.class)
                .hasMessageContaining("batchSize");
        assertThatThrownBy(() -> QStashTransport.newBuilder()
                        .config(config(qstash.url("")))
                        .lease(Duration.ofMinutes(10))
                        .build())
                .isInstanceOf(QStashConfigurationException.class)
                .hasMessageContaining("lease");
        assertThatThrownBy(() -> QStashTransport.newBuilder().build()).isInstanceOf(QStashConfigurationException.class);
    }
}
