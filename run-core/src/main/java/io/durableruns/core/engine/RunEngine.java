package io.durableruns.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.durableruns.core.graph.GraphRegistry;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import io.durableruns.core.internal.AttemptContext;
import io.durableruns.core.internal.Json;
import io.durableruns.ports.StoreException;
import io.durableruns.ports.in.CreateRunCommand;
import io.durableruns.ports.in.CreateRunResult;
import io.durableruns.ports.in.DispatchUseCases;
import io.durableruns.ports.in.RunListQuery;
import io.durableruns.ports.in.RunOperations;
import io.durableruns.ports.in.StepMessage;
import io.durableruns.ports.in.StepWorkerUseCase.Prefetch;
import io.durableruns.ports.in.WorkResult;
import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.model.DeliveryOutcome;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.EventType;
import io.durableruns.ports.model.FinishCommit;
import io.durableruns.ports.model.GraphDescription;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.LinkCommit;
import io.durableruns.ports.model.OutboundStep;
import io.durableruns.ports.model.RunCounts;
import io.durableruns.ports.model.RunDetails;
import io.durableruns.ports.model.RunPage;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepError;
import io.durableruns.ports.model.StepLease;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.SweepResult;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.model.ToolCallRecord;
import io.durableruns.ports.out.DispatchSignal;
import io.durableruns.ports.out.EngineObserver;
import io.durableruns.ports.out.IdGenerator;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StoreTransaction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable-runs engine: implements every use case of the ports on top of a {@link RunStore}. It holds no
 * run state of its own; any number of engines (threads, processes) can share one store.
 *
 * <pre>{@code
 * RunEngine engine = RunEngine.builder()
 *         .store(store)
 *         .registry(new GraphRegistry().register(researchGraph))
 *         .build();
 * String runId = engine.create(CreateRunCommand.of("research", input)).run().run().id();
 * }</pre>
 *
 * <p>Thread-safe. {@link #build()} reconciles the registry with the graph versions recorded in the store:
 * a registered (name, version) whose structure differs from the recorded one is refused.
 */
public final class RunEngine implements RunOperations, DispatchUseCases {
    private static final Logger log = LoggerFactory.getLogger(RunEngine.class);
    private static final int COMMIT_TRIES = 12;

    private final EngineSettings s;
    private final Failures failures;
    private final Claims claims;
    private final Completions completions;
    private final Queries queries;
    private final HandlerRunner handlers;
    private final RunCommands commands;
    private final Outbox outbox;
    private final Creations creations;
    private final ConcurrentHashMap<StepLease, PreparedAttempt> prepared = new ConcurrentHashMap<>();
    private final GraphReconciliation.Report startupReport;

    private RunEngine(EngineSettings settings, boolean reconcile) {
        this.s = settings;
        this.failures = new Failures(settings);
        this.claims = new Claims(settings, failures);
        this.completions = new Completions(settings, claims);
        this.queries = new Queries(settings);
        this.handlers = new HandlerRunner(settings);
        this.commands = new RunCommands(settings, failures, queries);
        this.outbox = new Outbox(settings, failures);
        this.creations = new Creations(settings, queries);
        this.startupReport =
                reconcile ? new GraphReconciliation(settings).reconcile() : GraphReconciliation.Report.EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What the start-up reconciliation of graph versions found. */
    public GraphReconciliation.Report startupReport() {
        return startupReport;
    }

    public GraphRegistry registry() {
        return s.registry();
    }

    // ---- create ----------------------------------------------------------------------------------------

    @Override
    public CreateRunResult create(CreateRunCommand command) {
        Instant now = s.now();
        CreateRunResult result = creations.create(creation(command, now));
        if (result.created()) {
            s.signal().intentsCommitted(now);
            s.observer().runCreated(result.run().run().graph());
        }
        return result;
    }

    @Override
    public List<CreateRunResult> createAll(List<CreateRunCommand> commands) {
        Objects.requireNonNull(commands, "commands");
        if (commands.size() > MAX_RUNS_PER_CALL) {
            throw new IllegalArgumentException("at most " + MAX_RUNS_PER_CALL + " runs can be created in one call, "
                    + commands.size() + " were given");
        }
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i) == null) {
                throw new IllegalArgumentException("command " + i + " of " + commands.size() + " is null");
            }
        }
        if (commands.isEmpty()) {
            return List.of();
        }
        Instant now = s.now();
        List<Creations.Request> requests = new ArrayList<>(commands.size());
        for (CreateRunCommand command : commands) {
            requests.add(creation(command, now));
        }
        List<CreateRunResult> results = creations.createAll(requests);
        boolean created = false;
        for (CreateRunResult result : results) {
            if (result.created()) {
                created = true;
                s.observer().runCreated(result.run().run().graph());
            }
        }
        if (created) {
            s.signal().intentsCommitted(now);
        }
        return results;
    }

    /** A creation of the command's run, its graph resolved (or {@code GraphNotFoundException}) and its id drawn. */
    private Creations.Request creation(CreateRunCommand command, Instant now) {
        StepGraph graph = s.registry().resolve(command.graph(), command.version());
        String requestHash = Json.sha256Hex(command.graph() + "\n"
                + (command.version() == null ? "newest" : command.version()) + "\n" + Json.canonical(command.input()));
        return new Creations.Request(graph, command, requestHash, s.ids().newId("run"), now);
    }

    /** How many creations wait for a transaction of other creations to end (for tests). */
    int creationsWaiting() {
        return creations.waitingCount();
    }

    // ---- delivery ----------------------------------------------------------------------------------------

    @Override
    public DeliveryOutcome deliver(StepMessage message) {
        Instant now = s.now();
        String owner = "delivery-" + s.ids().newId("lease");
        ClaimResult claim = s.store()
                .inTransaction(
                        tx -> claims.claim(tx, message.runId(), message.step(), owner, now, false, message.attempt()));
        if (!claim.isClaimed()) {
            s.observer().delivered(claim.outcome());
            return claim.outcome();
        }
        return execute(claim.attempt(), NextClaims.NONE).outcome();
    }

    @Override
    public List<StepLease> claimDue(String owner, int max) {
        Objects.requireNonNull(owner, "owner");
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        Instant now = s.now();
        List<DeliveryOutcome> skipped = new ArrayList<>();
        List<PreparedAttempt> attempts = s.store().inTransaction(tx -> {
            skipped.clear();
            return claims.claimFromQueue(tx, owner, now, max, skipped);
        });
        skipped.forEach(s.observer()::delivered);
        List<StepLease> leases = new ArrayList<>();
        for (PreparedAttempt a : attempts) {
            prepared.put(a.lease(), a);
            leases.add(a.lease());
        }
        return leases;
    }

    @Override
    public WorkResult work(StepLease lease, boolean claimSuccessor) {
        return work(lease, claimSuccessor ? NextClaims.READIED_OR_QUEUED : NextClaims.NONE);
    }

    @Override
    public WorkResult work(StepLease lease, Prefetch prefetch) {
        return work(lease, new NextClaims(true, Objects.requireNonNull(prefetch, "prefetch")));
    }

    private WorkResult work(StepLease lease, NextClaims claiming) {
        PreparedAttempt attempt = prepared.remove(lease);
        if (attempt == null) {
            attempt = s.store().read(tx -> claims.reload(tx, lease)).orElse(null);
            if (attempt == null) {
                return notStarted(lease);
            }
        }
        return execute(attempt, claiming);
    }

    /** The answer to a lease whose attempt no longer holds its step: nothing ran. */
    private WorkResult notStarted(StepLease lease) {
        return ignored(new DeliveryOutcome.Ignored(
                lease.runId(), lease.step(), "attempt " + lease.attempt() + " no longer holds the step"));
    }

    private WorkResult ignored(DeliveryOutcome.Ignored ignored) {
        s.observer().delivered(ignored);
        return new WorkResult(ignored, Optional.empty());
    }

    private WorkResult execute(PreparedAttempt attempt, NextClaims claiming) {
        RunRecord run = attempt.run();
        StepGraph graph = s.registry().find(run.graph(), run.version()).orElse(null);
        if (graph == null) {
            return ignored(new DeliveryOutcome.Ignored(
                    run.id(),
                    attempt.lease().step(),
                    "graph " + run.graph() + " v" + run.version() + " is not registered here"));
        }
        StepDefinition def = graph.step(attempt.lease().step());
        StepLease lease = leaseToStart(attempt.lease(), def).orElse(null);
        if (lease == null) {
            return notStarted(attempt.lease());
        }
        AttemptContext ctx = new AttemptContext(
                run.id(),
                lease.step(),
                run.graph(),
                run.version(),
                lease.attempt(),
                run.input(),
                attempt.dependencyOutputs(),
                s.mapper(),
                s.clock(),
                s.store());
        Instant started = s.now();
        HandlerRunner.Result result = handlers.run(def, ctx, lease);
        Duration elapsed = Duration.between(started, s.now());
        s.hooks().beforeCommit(lease);

        JsonNode output = null;
        Throwable error = result.error();
        if (error == null) {
            try {
                output = result.value() == null
                        ? NullNode.getInstance()
                        : s.mapper().valueToTree(result.value());
            } catch (IllegalArgumentException e) {
                error = new io.durableruns.core.NonRetryableStepException(
                        "the output of step '" + lease.step() + "' cannot be mapped to JSON: " + e.getMessage(), e);
            }
        }
        Instant now = s.now();
        List<DispatchIntent> intents = new ArrayList<>();
        DeliveryOutcome outcome;
        PreparedAttempt next = null;
        List<PreparedAttempt> also = List.of();
        boolean runFinished;
        if (error == null) {
            JsonNode out = output;
            Optional<LinkCommit> link = completions.asLink(attempt, graph, out, ctx, elapsed, claiming.readied(), now);
            Optional<StepRecord> claimed =
                    link.flatMap(l -> commit(lease, () -> s.store().commitLink(l)));
            Optional<FinishCommit> finish = Completions.asFinish(attempt, graph, out, elapsed, now);
            Completions.Committed c = claimed.isPresent()
                    ? Completions.linked(attempt, link.get(), claimed.get(), out)
                    : commit(lease, () -> s.store().inTransaction(tx -> {
                        intents.clear();
                        if (finish.isPresent() && tx.commitFinish(finish.get())) {
                            return completions.finished(tx, attempt, ctx, claiming, now);
                        }
                        RunRecord held = hold(tx, run.id());
                        if (held.status().isTerminal()) {
                            DeliveryOutcome late =
                                    LateResults.record(tx, held, lease, null, ctx.toolCalls(), elapsed, now);
                            return new Completions.Committed(late, null, false);
                        }
                        return completions.commitSuccess(
                                tx, held, attempt, graph, out, ctx, elapsed, claiming, now, intents);
                    }));
            outcome = c.outcome();
            next = c.next();
            also = c.also();
            runFinished = c.runFinished();
        } else {
            Throwable failure = error;
            StepError stepError = Failures.toError(failure);
            boolean retryable = failures.isRetryable(failure, def.retry());
            outcome = commit(lease, () -> s.store().inTransaction(tx -> {
                intents.clear();
                RunRecord held = hold(tx, run.id());
                if (held.status().isTerminal()) {
                    return LateResults.record(tx, held, lease, stepError, ctx.toolCalls(), elapsed, now);
                }
                Events events = new Events(run.id());
                DeliveryOutcome o = failures.recordFailure(
                        tx, held, graph, attempt.step(), stepError, retryable, now, events, intents);
                if (o == null) {
                    return new DeliveryOutcome.Ignored(
                            run.id(),
                            lease.step(),
                            "attempt " + lease.attempt() + " lost its lease before it committed");
                }
                if (!ctx.toolCalls().isEmpty()) {
                    tx.toolCalls().insertAll(ctx.toolCalls());
                }
                tx.intents().insertAll(intents);
                tx.timeline().append(events.list());
                return o;
            }));
            runFinished = outcome instanceof DeliveryOutcome.Failed;
            if (outcome instanceof DeliveryOutcome.Failed) {
                log.warn(
                        "Run {} failed: step {} attempt {} failed for good: {}",
                        run.id(),
                        lease.step(),
                        lease.attempt(),
                        stepError.type() + ": " + stepError.message());
            }
        }
        if (!intents.isEmpty()) {
            s.signal()
                    .intentsCommitted(intents.stream()
                            .map(DispatchIntent::dueAt)
                            .min(Instant::compareTo)
                            .orElse(now));
        }
        s.observer().stepAttempted(run.graph(), lease.step(), outcome, elapsed);
        s.observer().delivered(outcome);
        if (runFinished) {
            s.observer()
                    .runFinished(
                            run.graph(),
                            outcome instanceof DeliveryOutcome.Failed ? RunStatus.FAILED : RunStatus.SUCCEEDED);
        }
        if (next != null) {
            prepared.put(next.lease(), next);
        }
        for (PreparedAttempt a : also) {
            prepared.put(a.lease(), a);
        }
        return new WorkResult(
                outcome,
                Optional.ofNullable(next).map(PreparedAttempt::lease),
                also.stream().map(PreparedAttempt::lease).toList());
    }

    /**
     * Commits an attempt's result. The handler has run: losing its result to a database blip (a restart, a
     * failover, a broken connection) would leave the step waiting for its whole lease. So a transient store failure
     * is tried again, with a growing pause, for as long as the lease lasts (and at most {@value #COMMIT_TRIES}
     * times). Trying again is safe even when the first commit did land and only its answer was lost: the commit is a
     * compare-and-set on the attempt's fencing token, which then no longer holds, and changes nothing.
     */
    private <R> R commit(StepLease lease, Supplier<R> work) {
        long pauseMillis = 50;
        for (int tries = 1; ; tries++) {
            try {
                return work.get();
            } catch (StoreException e) {
                if (!e.isTransient()
                        || tries == COMMIT_TRIES
                        || !s.now().plusMillis(pauseMillis).isBefore(lease.leaseUntil())) {
                    throw e;
                }
                log.warn(
                        "Committing attempt {} of step {} of run {} failed ({}); trying again in {} ms",
                        lease.attempt(),
                        lease.step(),
                        lease.runId(),
                        e.getMessage(),
                        pauseMillis);
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pauseMillis = Math.min(2_000, pauseMillis * 2);
            }
        }
    }

    /** Takes the run for the rest of the transaction (see {@code RunRepository.lock}). */
    private static RunRecord hold(StoreTransaction tx, String runId) {
        return tx.runs()
                .lock(runId)
                .orElseThrow(() -> new IllegalStateException(
                        "run " + runId + " of a claimed step does not exist; this indicates a bug"));
    }

    @Override
    public void release(StepLease lease) {
        PreparedAttempt held = prepared.remove(lease);
        if (!releaseStep(lease) && held != null) {
            log.debug("Lease {} was not released: the step changed meanwhile", lease);
        }
    }

    /**
     * The lease to start an attempt under. A lease runs for the step's timeout plus the margin from its claim, and
     * the handler's timeout counts from its start; an attempt claimed long before it starts (one that waited in a
     * process's prefetch while every worker was busy) could outlive its lease and be taken over while it runs. So when
     * more than half the margin has gone before the start, the lease is extended to a whole one from now, under the
     * attempt's fencing token. Empty when the step moved on meanwhile (cancelled, or taken over after its lease ran
     * out): the handler must not run.
     */
    private Optional<StepLease> leaseToStart(StepLease lease, StepDefinition def) {
        Instant now = s.now();
        Duration whole = def.timeout().plus(s.leaseMargin());
        if (now.plus(whole.minus(s.leaseMargin().dividedBy(2))).isBefore(lease.leaseUntil())) {
            return Optional.of(lease);
        }
        Instant until = now.plus(whole);
        boolean extended = s.store().inTransaction(tx -> {
            Optional<StepRecord> step = stillLeased(tx, lease);
            return step.isPresent()
                    && tx.steps()
                            .update(
                                    StepChange.of(step.get())
                                            .leaseExtended(until)
                                            .build(now),
                                    StepStatus.RUNNING,
                                    lease.attempt());
        });
        if (!extended) {
            log.debug(
                    "Attempt {} of step {} of run {} was not started: the step moved on before it could start",
                    lease.attempt(),
                    lease.step(),
                    lease.runId());
            return Optional.empty();
        }
        log.debug(
                "Attempt {} of step {} of run {} started {} after its claim; its lease now runs until {}",
                lease.attempt(),
                lease.step(),
                lease.runId(),
                Duration.between(lease.leaseUntil().minus(whole), now),
                until);
        return Optional.of(new StepLease(lease.runId(), lease.step(), lease.attempt(), lease.owner(), until));
    }

    /**
     * The step of the lease, its run taken for the rest of the transaction, while the lease's attempt and owner still
     * hold it (running); empty once it moved on.
     */
    private static Optional<StepRecord> stillLeased(StoreTransaction tx, StepLease lease) {
        if (tx.runs().lock(lease.runId()).isEmpty()) {
            return Optional.empty();
        }
        return tx.steps()
                .find(lease.runId(), lease.step())
                .filter(step -> step.status() == StepStatus.RUNNING
                        && step.attempt() == lease.attempt()
                        && lease.owner().equals(step.leaseOwner()));
    }

    /** Puts a step leased but not run back in the queue, without counting the attempt; false if it moved on. */
    private boolean releaseStep(StepLease lease) {
        Instant now = s.now();
        boolean released = s.store().inTransaction(tx -> {
            Optional<StepRecord> step = stillLeased(tx, lease);
            if (step.isEmpty()) {
                return false;
            }
            StepRecord back = StepChange.of(step.get()).released(now).build(now);
            if (!tx.steps().update(back, StepStatus.RUNNING, lease.attempt())) {
                return false;
            }
            tx.intents().insertAll(List.of(s.intent(back, now, now)));
            tx.timeline()
                    .append(new Events(lease.runId())
                            .add(
                                    now,
                                    EventType.STEP_RELEASED,
                                    lease.step(),
                                    lease.attempt(),
                                    Json.obj("owner", lease.owner()))
                            .list());
            return true;
        });
        if (released) {
            s.signal().intentsCommitted(now);
        }
        return released;
    }

    @Override
    public int releaseUnheld(String owner, Collection<StepLease> held) {
        Objects.requireNonNull(owner, "owner");
        Set<String> kept = new HashSet<>();
        held.forEach(l -> kept.add(l.runId() + "/" + l.step() + "/" + l.attempt()));
        int released = 0;
        for (StepRecord step : s.store().read(tx -> tx.steps().findLeasedBy(owner))) {
            if (kept.contains(step.runId() + "/" + step.name() + "/" + step.attempt())) {
                continue;
            }
            if (releaseStep(new StepLease(step.runId(), step.name(), step.attempt(), owner, step.leaseUntil()))) {
                released++;
            }
        }
        if (released > 0) {
            log.info("Gave back {} step(s) leased to {} that no worker holds", released, owner);
        }
        return released;
    }

    @Override
    public Optional<Instant> nextDueAt() {
        return s.store().read(tx -> tx.intents().nextDueAt());
    }

    @Override
    public DeliveryOutcome giveUp(StepMessage message, String reason) {
        return commands.giveUp(message, reason);
    }

    // ---- the outbox of push transports -------------------------------------------------------------------

    @Override
    public List<OutboundStep> takeToPublish(String owner, Duration lease, int max) {
        Objects.requireNonNull(owner, "owner");
        if (max < 1 || lease == null || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("takeToPublish needs max >= 1 and a positive lease");
        }
        return outbox.take(owner, lease, max);
    }

    @Override
    public void published(Collection<String> intentIds) {
        outbox.published(intentIds);
    }

    @Override
    public void publishLater(Collection<String> intentIds, Instant at) {
        outbox.publishLater(intentIds, at);
    }

    @Override
    public void refused(String intentId, String reason) {
        outbox.refused(intentId, reason);
    }

    @Override
    public Optional<Instant> nextPublishAt() {
        return outbox.nextPublishAt();
    }

    // ---- retry, cancel, sweep ----------------------------------------------------------------------------

    @Override
    public RunDetails retry(String runId) {
        return commands.retry(runId);
    }

    @Override
    public RunDetails cancel(String runId) {
        return commands.cancel(runId);
    }

    @Override
    public SweepResult sweep() {
        return commands.sweep();
    }

    // ---- queries -----------------------------------------------------------------------------------------

    @Override
    public Optional<RunDetails> find(String runId) {
        Queries.requireRunId(runId);
        return s.store().read(tx -> tx.runs()
                .find(runId)
                .map(r -> new RunDetails(r, tx.steps().findByRun(runId))));
    }

    @Override
    public RunPage list(RunListQuery query) {
        return queries.list(query);
    }

    @Override
    public RunCounts countRuns(String graph) {
        return queries.countRuns(graph);
    }

    @Override
    public Map<GraphVersionRef, Long> unfinishedRunsByGraphVersion() {
        return s.store().read(tx -> tx.runs().countUnfinishedByGraphVersion());
    }

    @Override
    public List<TimelineEvent> timeline(String runId) {
        Queries.requireRunId(runId);
        return queries.withRun(runId, tx -> tx.timeline().findByRun(runId));
    }

    @Override
    public List<ArtifactSummary> artifacts(String runId) {
        Queries.requireRunId(runId);
        return queries.withRun(runId, tx -> tx.artifacts().list(runId));
    }

    @Override
    public Optional<ArtifactRecord> artifact(String runId, String step, String key) {
        Queries.requireRunId(runId);
        return queries.withRun(runId, tx -> tx.artifacts().find(runId, step, key));
    }

    @Override
    public List<ToolCallRecord> toolCalls(String runId) {
        Queries.requireRunId(runId);
        return queries.withRun(runId, tx -> tx.toolCalls().findByRun(runId));
    }

    @Override
    public List<GraphDescription> graphs() {
        return s.registry().describe();
    }

    @Override
    public Optional<GraphDescription> graph(String name, int version) {
        return s.registry().find(name, version).map(StepGraph::describe);
    }

    /** Configures a {@link RunEngine}; only the store and the registry are required. */
    public static final class Builder {
        private RunStore store;
        private GraphRegistry registry;
        private Clock clock = Clock.systemUTC();
        private IdGenerator ids;
        private ObjectMapper mapper;
        private DispatchSignal signal = DispatchSignal.NONE;
        private EngineObserver observer = EngineObserver.NONE;
        private ExecutionHooks hooks = ExecutionHooks.NONE;
        private Duration leaseMargin = Duration.ofSeconds(30);
        private Duration strandedGrace = Duration.ofMinutes(1);
        private RandomGenerator random = new Random();
        private boolean enforceTimeouts = true;
        private boolean reconcile = true;
        private int sweepBatch = 100;

        private Builder() {}

        public Builder store(RunStore value) {
            this.store = value;
            return this;
        }

        public Builder registry(GraphRegistry value) {
            this.registry = value;
            return this;
        }

        /** The clock (default UTC system clock); tests pass a settable one. */
        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        /** Id generation (default {@link UlidGenerator}). */
        public Builder ids(IdGenerator value) {
            this.ids = value;
            return this;
        }

        /** The mapper for step outputs and tool-call payloads (default: Jackson with java.time support). */
        public Builder objectMapper(ObjectMapper value) {
            this.mapper = value;
            return this;
        }

        /** Told after commits that wrote dispatch intents (the local dispatcher or the QStash relay). */
        public Builder dispatchSignal(DispatchSignal value) {
            this.signal = value;
            return this;
        }

        /** Receives engine events for metrics. */
        public Builder observer(EngineObserver value) {
            this.observer = value;
            return this;
        }

        /** Fault-injection hooks, for tests. */
        public Builder hooks(ExecutionHooks value) {
            this.hooks = value;
            return this;
        }

        /** A lease lasts the step timeout plus this margin (default 30 s). */
        public Builder leaseMargin(Duration value) {
            this.leaseMargin = value;
            return this;
        }

        /** How long a ready step may wait without a dispatch intent before the sweeper writes one (default 1 min). */
        public Builder strandedGrace(Duration value) {
            this.strandedGrace = value;
            return this;
        }

        /** The source of backoff jitter; tests pass a seeded one. */
        public Builder random(RandomGenerator value) {
            this.random = value;
            return this;
        }

        /** Whether a watchdog interrupts handlers that run past their timeout (default true). */
        public Builder enforceTimeouts(boolean value) {
            this.enforceTimeouts = value;
            return this;
        }

        /** How many steps one page of a sweeper's scan reads (default 100); every page is read, this bounds memory. */
        public Builder sweepBatch(int value) {
            this.sweepBatch = value;
            return this;
        }

        /** Whether {@link #build()} reconciles graph versions with the store (default true). */
        public Builder reconcileGraphVersions(boolean value) {
            this.reconcile = value;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming a missing or invalid setting
         * @throws io.durableruns.core.graph.GraphVersionConflictException when a registered version's
         *     structure differs from the one recorded in the store
         */
        public RunEngine build() {
            require(store, "store");
            require(registry, "registry");
            require(clock, "clock");
            if (leaseMargin == null || leaseMargin.isNegative()) {
                throw new IllegalArgumentException("leaseMargin must be zero or positive, was " + leaseMargin);
            }
            if (sweepBatch < 1) {
                throw new IllegalArgumentException("sweepBatch must be at least 1, was " + sweepBatch);
            }
            if (strandedGrace == null || strandedGrace.isNegative()) {
                throw new IllegalArgumentException("strandedGrace must be zero or positive, was " + strandedGrace);
            }
            EngineSettings settings = new EngineSettings(
                    store,
                    registry,
                    clock,
                    ids == null ? new UlidGenerator(clock) : ids,
                    mapper == null ? Json.defaultMapper() : mapper,
                    require(signal, "dispatchSignal"),
                    require(observer, "observer"),
                    require(hooks, "hooks"),
                    leaseMargin,
                    strandedGrace,
                    require(random, "random"),
                    enforceTimeouts,
                    sweepBatch);
            return new RunEngine(settings, reconcile);
        }

        private static <T> T require(T value, String name) {
            if (value == null) {
                throw new IllegalArgumentException("RunEngine." + name + " must be set");
            }
            return value;
        }
    }
}
