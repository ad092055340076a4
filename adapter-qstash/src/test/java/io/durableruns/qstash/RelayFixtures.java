package io.durableruns.qstash;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.durableruns.core.memory.InMemoryRunStore;
import io.durableruns.ports.in.GraphCatalogUseCase;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.GraphDescription;
import io.durableruns.ports.model.RetryPolicyDescription;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepDescription;
import io.durableruns.ports.out.ArtifactRepository;
import io.durableruns.ports.out.GraphVersionRepository;
import io.durableruns.ports.out.IntentRepository;
import io.durableruns.ports.out.RunRepository;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StepRepository;
import io.durableruns.ports.out.StoreTransaction;
import io.durableruns.ports.out.TimelineRepository;
import io.durableruns.ports.out.ToolCallRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** Runs, intents, a graph catalog and store wrappers for the relay tests. */
final class RelayFixtures {
    static final GraphDescription RESEARCH = new GraphDescription(
            "research",
            1,
            "fp-research-1",
            List.of(
                    new StepDescription(
                            "plan",
                            List.of(),
                            new RetryPolicyDescription(
                                    4, Duration.ofSeconds(2), 2.0, Duration.ofSeconds(30), 0.2, List.of()),
                            Duration.ofSeconds(60)),
                    new StepDescription(
                            "draft",
                            List.of("plan"),
                            new RetryPolicyDescription(
                                    1, Duration.ofMillis(1500), 1.0, Duration.ofMillis(1500), 0, List.of()),
                            null)));

    static final GraphCatalogUseCase CATALOG = new GraphCatalogUseCase() {
        @Override
        public List<GraphDescription> graphs() {
            return List.of(RESEARCH);
        }

        @Override
        public Optional<GraphDescription> graph(String name, int version) {
            return name.equals(RESEARCH.name()) && version == RESEARCH.version()
                    ? Optional.of(RESEARCH)
                    : Optional.empty();
        }
    };

    private RelayFixtures() {}

    static String runId(int n) {
        return String.format("run_%026d", n);
    }

    static String intentId(int n) {
        return String.format("int_%026d", n);
    }

    /** Inserts run {@code n} of the research graph and an intent for {@code step}, due at {@code dueAt}. */
    static DispatchIntent addIntent(RunStore store, int n, String step, Instant createdAt, Instant dueAt) {
        DispatchIntent intent = new DispatchIntent(intentId(n), runId(n), step, dueAt, createdAt);
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
                                2,
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
        return store.inTransaction(tx -> tx.intents().count());
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
        return new RunStore() {
            @Override
            public <R> R inTransaction(TransactionWork<R> work) {
                return store.inTransaction(tx -> work.apply(new KillingTx(tx)));
            }
        };
    }

    private record KillingTx(StoreTransaction tx) implements StoreTransaction {
        @Override
        public RunRepository runs() {
            return tx.runs();
        }

        @Override
        public StepRepository steps() {
            return tx.steps();
        }

        @Override
        public ArtifactRepository artifacts() {
            return tx.artifacts();
        }

        @Override
        public ToolCallRepository toolCalls() {
            return tx.toolCalls();
        }

        @Override
        public TimelineRepository timeline() {
            return tx.timeline();
        }

        @Override
        public GraphVersionRepository graphVersions() {
            return tx.graphVersions();
        }

        @Override
        public IntentRepository intents() {
            IntentRepository intents = tx.intents();
            return new IntentRepository() {
                @Override
                public void insertAll(List<DispatchIntent> list) {
                    intents.insertAll(list);
                }

                @Override
                public List<DispatchIntent> claimDue(Instant now, int limit) {
                    return intents.claimDue(now, limit);
                }

                @Override
                public List<DispatchIntent> lockOldest(int limit) {
                    return intents.lockOldest(limit);
                }

                @Override
                public void delete(Collection<String> intentIds) {
                    throw new IllegalStateException("the relay process was killed before it deleted the intents");
                }

                @Override
                public boolean existsForStep(String runId, String step) {
                    return intents.existsForStep(runId, step);
                }

                @Override
                public int deleteForStep(String runId, String step) {
                    return intents.deleteForStep(runId, step);
                }

                @Override
                public int deleteForRun(String runId) {
                    return intents.deleteForRun(runId);
                }

                @Override
                public Optional<Instant> nextDueAt() {
                    return intents.nextDueAt();
                }

                @Override
                public long count() {
                    return intents.count();
                }
            };
        }
    }
}
