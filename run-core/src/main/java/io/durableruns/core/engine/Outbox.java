package io.durableruns.core.engine;

import io.durableruns.core.graph.StepGraph;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.OutboundStep;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The outbox side of the engine, for push transports: intents are leased in a committed transaction, published
 * outside any transaction, then deleted, offered again later, or set aside with the reason the transport gave.
 */
final class Outbox {
    private final EngineSettings s;
    private final Failures failures;

    Outbox(EngineSettings settings, Failures failures) {
        this.s = settings;
        this.failures = failures;
    }

    List<OutboundStep> take(String owner, Duration lease, int max) {
        Instant now = s.now();
        return s.store().inTransaction(tx -> {
            List<OutboundStep> out = new ArrayList<>();
            List<String> finished = new ArrayList<>();
            for (DispatchIntent intent : tx.intents().lease(owner, now, now.plus(lease), max)) {
                Optional<RunRecord> run = tx.runs().find(intent.runId());
                if (run.isEmpty() || run.get().status().isTerminal()) {
                    finished.add(intent.id());
                    continue;
                }
                out.add(new OutboundStep(
                        intent.id(),
                        intent.runId(),
                        intent.step(),
                        intent.attempt(),
                        run.get().graph(),
                        run.get().version(),
                        intent.dueAt()));
            }
            if (!finished.isEmpty()) {
                tx.intents().delete(finished);
            }
            return out;
        });
    }

    void published(Collection<String> intentIds) {
        if (!intentIds.isEmpty()) {
            s.store().inTransaction(tx -> {
                tx.intents().delete(intentIds);
                return null;
            });
        }
    }

    void publishLater(Collection<String> intentIds, Instant at) {
        if (!intentIds.isEmpty()) {
            s.store().inTransaction(tx -> {
                tx.intents().releaseUntil(intentIds, at);
                return null;
            });
        }
    }

    /**
     * Sets a refused intent aside: it is deleted, and if its step still waits for the attempt it names, that
     * attempt fails for good with a {@code DispatchRefused} error, which fails the run (retryable by hand).
     */
    void refused(String intentId, String reason) {
        Instant now = s.now();
        Optional<DispatchIntent> known = s.store().read(tx -> tx.intents().find(intentId));
        if (known.isEmpty()) {
            return;
        }
        List<String> failedGraph = new ArrayList<>();
        s.store().inTransaction(tx -> {
            failedGraph.clear();
            RunRecord run = tx.runs().lock(known.get().runId()).orElse(null);
            Optional<DispatchIntent> intent = tx.intents().find(intentId);
            if (run == null || intent.isEmpty()) {
                return null;
            }
            tx.intents().delete(List.of(intentId));
            StepRecord step = tx.steps().find(run.id(), intent.get().step()).orElse(null);
            StepGraph graph = s.registry().find(run.graph(), run.version()).orElse(null);
            if (run.status().isTerminal()
                    || step == null
                    || graph == null
                    || !step.status().isClaimable()
                    || step.attempt() + 1 != intent.get().attempt()) {
                return null;
            }
            StepError error = new StepError(
                    "DispatchRefused",
                    "the queue refused to take attempt " + intent.get().attempt() + ": " + reason
                            + "; fix the cause, then retry the run",
                    "");
            Events events = new Events(run.id());
            events.add(
                    now,
                    EventType.STEP_DELIVERY_GIVEN_UP,
                    step.name(),
                    intent.get().attempt(),
                    Events.error(error));
            failures.recordFailure(tx, run, graph, step, error, false, now, events, new ArrayList<>());
            tx.timeline().append(events.list());
            failedGraph.add(run.graph());
            return null;
        });
        failedGraph.forEach(graph -> s.observer().runFinished(graph, RunStatus.FAILED));
    }

    Optional<Instant> nextPublishAt() {
        return s.store().read(tx -> tx.intents().nextLeasableAt());
    }
}
