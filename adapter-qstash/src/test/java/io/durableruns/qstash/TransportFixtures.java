package io.durableruns.qstash;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.durableruns.core.contract.Intercepted;
import io.durableruns.core.engine.RunEngine;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.core.testkit.SequentialIds;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.out.IntentRepository;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.LoggerFactory;

/** An engine over an in-memory store with the research graph, runs and intents, and log capture, for the tests. */
final class TransportFixtures {
    /** plan (4 attempts, 60 s timeout), then draft (1 attempt, no timeout). */
    static final StepGraph RESEARCH = StepGraph.builder("research", 1)
            .step(StepDefinition.named("plan")
                    .timeout(Duration.ofSeconds(60))
                    .retry(RetryPolicy.newBuilder()
                            .maxAttempts(4)
                            .initialBackoff(Duration.ofSeconds(2))
                            .build())
                    .handler(ctx -> "planned"))
            .step(StepDefinition.named("draft")
                    .dependsOn("plan")
                    .retry(RetryPolicy.noRetries())
                    .handler(ctx -> "drafted"))
            .build();

    private TransportFixtures() {}

    /** An engine over {@code store}: the transport's outbox and graph catalog. */
    static RunEngine engine(RunStore store, Clock clock) {
        return RunEngine.builder()
                .store(store)
                .registry(new GraphRegistry().register(RESEARCH))
                .clock(clock)
                .ids(new SequentialIds())
                .build();
    }

    static String runId(int n) {
        return String.format("run_%026d", n);
    }

    static String intentId(int n) {
        return String.format("int_%026d", n);
    }

    /** Inserts run {@code n} of the research graph and an intent for {@code step}, due at {@code dueAt}. */
    static DispatchIntent addIntent(RunStore store, int n, String step, Instant createdAt, Instant dueAt) {
        DispatchIntent intent = new DispatchIntent(intentId(n), runId(n), step, 1, dueAt, createdAt);
        store.inTransaction(tx -> {
            if (tx.runs().find(runId(n)).isEmpty()) {
                tx.runs()
                        .insert(new RunRecord(
                                runId(n),
                                "research",
                                1,
                                RunStatus.QUEUED,
                                JsonNodeFactory.instance.objectNode().put("topic", "t" + n),
                                null,
                                null,
                                1,
                                createdAt,
                                createdAt,
                                null));
            }
            tx.intents().insertAll(List.of(intent));
            return null;
        });
        return intent;
    }

    static long intentCount(RunStore store) {
        return store.read(tx -> tx.intents().count());
    }

    static InMemoryRunStore newStore() {
        return new InMemoryRunStore();
    }

    /** Captures what one class logs. */
    static ListAppender<ILoggingEvent> captureLogs(Class<?> type) {
        Logger logger = (Logger) LoggerFactory.getLogger(type);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    static void stopCapturing(Class<?> type, ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(type)).detachAppender(appender);
    }

    /** A store whose relay "dies" after publishing: deleting intents throws, so the transaction rolls back. */
    static RunStore killedBeforeDelete(RunStore store) {
        return Intercepted.store(
                store,
                tx -> Intercepted.method(
                        StoreTransaction.class,
                        tx,
                        "intents",
                        intents -> Intercepted.method(
                                IntentRepository.class, (IntentRepository) intents.proceed(), "delete", delete -> {
                                    throw new IllegalStateException(
                                            "the relay process was killed before it deleted the intents");
                                })));
    }
}
