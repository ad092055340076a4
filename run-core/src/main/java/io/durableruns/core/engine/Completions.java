package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.internal.AttemptContext;
import io.durableruns.core.internal.Json;
import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.FinishCommit;
import io.durableruns.ports.model.LinkCommit;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.out.StoreTransaction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Committing a successful attempt: its effects, its successors and the run's completion, in one transaction. */
final class Completions {
    private final EngineSettings s;
    private final Claims claims;

    Completions(EngineSettings settings, Claims claims) {
        this.s = settings;
        this.claims = claims;
    }

    /** What a success commit produced. */
    record Committed(DeliveryOutcome outcome, PreparedAttempt next, List<PreparedAttempt> also, boolean runFinished) {
        Committed(DeliveryOutcome outcome, PreparedAttempt next, boolean runFinished) {
            this(outcome, next, List.of(), runFinished);
        }
    }

    /**
     * Commits the attempt's success in a run this transaction holds and that has not finished, claiming what
     * {@code claiming} asks for: the worker's next step (one this commit readied, or else the earliest due in the
     * queue) and more of the steps it readied, returned in {@link Committed#also()}; the rest are queued.
     */
    Committed commitSuccess(
            StoreTransaction tx,
            RunRecord held,
            PreparedAttempt attempt,
            StepGraph graph,
            JsonNode output,
            AttemptContext ctx,
            Duration elapsed,
            NextClaims claiming,
            Instant now,
            List<DispatchIntent> intents) {
        StepRecord running = attempt.step();
        String runId = running.runId();
        String name = running.name();
        StepRecord done = StepChange.of(running).succeeded(output, now).build(now);
        if (!tx.steps().update(done, StepStatus.RUNNING, running.attempt())) {
            return new Committed(
                    new DeliveryOutcome.Ignored(
                            runId, name, "attempt " + running.attempt() + " lost its lease before it committed"),
                    null,
                    false);
        }
        storeRecords(tx, running, ctx, now);
        Events events = new Events(runId);
        events.add(now, EventType.STEP_SUCCEEDED, name, running.attempt(), Json.obj("durationMs", elapsed.toMillis()));
        boolean runFinished = false;
        List<String> successors = graph.successors(name);
        PreparedAttempt next = null;
        List<PreparedAttempt> also = new ArrayList<>();
        if (successors.isEmpty()) {
            if (tx.runs().decrementSinksRemaining(runId) == 0) {
                RunStates.set(tx, held, RunStatus.SUCCEEDED, now, runOutput(tx, graph, runId, name, output));
                events.add(now, EventType.RUN_SUCCEEDED, null, null, null);
                runFinished = true;
            }
        } else {
            List<StepRecord> ready = new ArrayList<>();
            for (String successor : successors) {
                StepRecord s2 = tx.steps().decrementPendingDeps(runId, successor);
                if (s2.status() == StepStatus.PENDING && s2.pendingDeps() == 0) {
                    ready.add(s2);
                }
            }
            int own = claiming.readied() && !ready.isEmpty() ? 1 : 0;
            int claimed = own + claiming.beyond(ready.size() - own);
            Map<String, JsonNode> known = new HashMap<>(attempt.dependencyOutputs());
            known.put(name, output);
            for (int i = 0; i < ready.size(); i++) {
                StepRecord s2 = ready.get(i);
                if (i < claimed) {
                    PreparedAttempt a = claims.claimReady(
                            tx, held, graph, s2, attempt.lease().owner(), now, known, events);
                    if (i < own) {
                        next = a;
                    } else {
                        also.add(a);
                    }
                    continue;
                }
                StepRecord queued = StepChange.of(s2).queued(now).build(now);
                RunStates.update(tx, s2, queued);
                events.add(now, EventType.STEP_QUEUED, s2.name(), null, null);
                // Due since the run began: the queue serves ready steps of older runs first.
                intents.add(s.intent(queued, held.createdAt(), now));
            }
        }
        tx.timeline().append(events.list());
        if (claiming.fromQueue() && next == null) {
            next = claims.claimOneDue(tx, attempt.lease().owner(), now);
        }
        tx.intents().insertAll(intents);
        return new Committed(new DeliveryOutcome.Done(runId, name, running.attempt()), next, also, runFinished);
    }

    /**
     * The attempt's success as a chain link ({@link io.durableruns.ports.out.RunStore#commitLink}), when it is one:
     * its worker takes the successor, and the step has exactly one successor, which waits for it alone. Otherwise
     * empty, and the general commit applies.
     */
    Optional<LinkCommit> asLink(
            PreparedAttempt attempt,
            StepGraph graph,
            JsonNode output,
            AttemptContext ctx,
            Duration elapsed,
            boolean claimSuccessor,
            Instant now) {
        StepRecord running = attempt.step();
        if (!claimSuccessor) {
            return Optional.empty();
        }
        List<String> successors = graph.successors(running.name());
        if (successors.size() != 1) {
            return Optional.empty();
        }
        StepDefinition next = graph.step(successors.get(0));
        if (!next.dependsOn().equals(List.of(running.name()))) {
            return Optional.empty();
        }
        String owner = attempt.lease().owner();
        return Optional.of(new LinkCommit(
                StepChange.of(running).succeeded(output, now).build(now),
                running.attempt(),
                next.name(),
                owner,
                now.plus(next.timeout()).plus(s.leaseMargin()),
                now,
                Json.obj("durationMs", elapsed.toMillis()),
                Json.obj("owner", owner),
                ctx.toolCalls(),
                artifacts(running, ctx, now)));
    }

    /** What a committed link produced: the step done, its successor claimed by the same worker. */
    static Committed linked(PreparedAttempt attempt, LinkCommit link, StepRecord claimed, JsonNode output) {
        StepRecord done = link.succeeded();
        StepLease lease = new StepLease(
                claimed.runId(), claimed.name(), claimed.attempt(), claimed.leaseOwner(), claimed.leaseUntil());
        PreparedAttempt next = new PreparedAttempt(lease, attempt.run(), claimed, Map.of(done.name(), output));
        return new Committed(new DeliveryOutcome.Done(done.runId(), done.name(), done.attempt()), next, false);
    }

    /**
     * The attempt's success as its run's finish ({@link StoreTransaction#commitFinish}), when it can be one: the
     * step is its graph's only sink. Otherwise empty, and the general commit applies.
     */
    static Optional<FinishCommit> asFinish(
            PreparedAttempt attempt, StepGraph graph, JsonNode output, Duration elapsed, Instant now) {
        StepRecord running = attempt.step();
        if (!graph.successors(running.name()).isEmpty() || graph.sinks().size() != 1) {
            return Optional.empty();
        }
        return Optional.of(new FinishCommit(
                StepChange.of(running).succeeded(output, now).build(now),
                running.attempt(),
                now,
                Json.obj("durationMs", elapsed.toMillis()),
                Json.obj().set(running.name(), output)));
    }

    /**
     * What a committed finish produced. Stores the attempt's artifacts and tool calls and, when the worker takes
     * more work, claims the earliest due step from the queue, in the finish's transaction.
     */
    Committed finished(
            StoreTransaction tx, PreparedAttempt attempt, AttemptContext ctx, NextClaims claiming, Instant now) {
        StepRecord running = attempt.step();
        storeRecords(tx, running, ctx, now);
        PreparedAttempt next =
                claiming.fromQueue() ? claims.claimOneDue(tx, attempt.lease().owner(), now) : null;
        return new Committed(new DeliveryOutcome.Done(running.runId(), running.name(), running.attempt()), next, true);
    }

    /** Stores the attempt's artifacts (each unless the step has one with its key) and its tool calls. */
    private static void storeRecords(StoreTransaction tx, StepRecord running, AttemptContext ctx, Instant now) {
        artifacts(running, ctx, now).forEach(tx.artifacts()::insertIfAbsent);
        if (!ctx.toolCalls().isEmpty()) {
            tx.toolCalls().insertAll(ctx.toolCalls());
        }
    }

    /** The artifacts the attempt staged, as stored. */
    private static List<ArtifactRecord> artifacts(StepRecord running, AttemptContext ctx, Instant now) {
        return ctx.stagedArtifacts().stream()
                .map(a -> new ArtifactRecord(
                        running.runId(), running.name(), a.key(), a.contentType(), a.content(), running.attempt(), now))
                .toList();
    }

    /** The run's output: the outputs of its sink steps, by step name. */
    private static ObjectNode runOutput(
            StoreTransaction tx, StepGraph graph, String runId, String justDone, JsonNode output) {
        List<StepDefinition> sinks = graph.sinks();
        Map<String, JsonNode> outputs = new HashMap<>();
        if (sinks.size() > 1 || !sinks.get(0).name().equals(justDone)) {
            for (StepRecord r : tx.steps().findByRun(runId)) {
                outputs.put(r.name(), r.output());
            }
        }
        outputs.put(justDone, output);
        ObjectNode out = Json.obj();
        for (StepDefinition sink : sinks) {
            JsonNode o = outputs.get(sink.name());
            out.set(sink.name(), o == null ? Json.obj() : o);
        }
        return out;
    }
}
