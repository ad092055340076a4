package io.durableruns.core.memory;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.ports.model.ArtifactRecord;
import io.durableruns.ports.model.ArtifactSummary;
import io.durableruns.ports.model.DispatchIntent;
import io.durableruns.ports.model.GraphVersionRecord;
import io.durableruns.ports.model.GraphVersionRef;
import io.durableruns.ports.model.RunCursor;
import io.durableruns.ports.model.RunFilter;
import io.durableruns.ports.model.RunRecord;
import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepCursor;
import io.durableruns.ports.model.StepRecord;
import io.durableruns.ports.model.StepStatus;
import io.durableruns.ports.model.StepSummary;
import io.durableruns.ports.model.TimelineEvent;
import io.durableruns.ports.model.ToolCallRecord;
import io.durableruns.ports.out.ArtifactRepository;
import io.durableruns.ports.out.GraphVersionRepository;
import io.durableruns.ports.out.IntentRepository;
import io.durableruns.ports.out.RunRepository;
import io.durableruns.ports.out.RunStore;
import io.durableruns.ports.out.StepRepository;
import io.durableruns.ports.out.StoreTransaction;
import io.durableruns.ports.out.TimelineRepository;
import io.durableruns.ports.out.ToolCallRepository;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A thread-safe, in-memory {@link RunStore} with the same contract as the database stores: for the offline
 * test kit, for unit tests of graphs, and for embedding without persistence. Transactions are serialised by
 * one lock and rolled back with an undo log, so a failed transaction leaves nothing behind.
 *
 * <pre>{@code
 * RunEngine engine = RunEngine.builder().store(new InMemoryRunStore()).registry(registry).build();
 * }</pre>
 */
public final class InMemoryRunStore implements RunStore {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, RunRecord> runRows = new HashMap<>();
    private final Map<String, RunRepository.IdempotencyReservation> idempotency = new HashMap<>();
    private final Map<String, LinkedHashMap<String, StepRecord>> stepRows = new HashMap<>();
    private final Map<String, ArtifactRecord> artifactRows = new LinkedHashMap<>();
    private final Map<String, List<ToolCallRecord>> toolCallRows = new HashMap<>();
    private final Map<String, List<TimelineEvent>> timelineRows = new HashMap<>();
    private final Map<String, DispatchIntent> intentRows = new LinkedHashMap<>();
    private final Map<String, Instant> intentLeases = new HashMap<>();
    private final Map<String, GraphVersionRecord> graphVersionRows = new TreeMap<>();
    private Deque<Runnable> undo;

    @Override
    public <R> R inTransaction(TransactionWork<R> work) {
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException(
                    "nested transaction: a transaction callback called inTransaction again;" + " this indicates a bug");
        }
        lock.lock();
        try {
            undo = new ArrayDeque<>();
            try {
                return work.apply(new Tx());
            } catch (RuntimeException | Error e) {
                while (!undo.isEmpty()) {
                    undo.pop().run();
                }
                throw e;
            } finally {
                undo = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private <K, V> void put(Map<K, V> map, K key, V value) {
        boolean had = map.containsKey(key);
        V old = map.put(key, value);
        undo.push(() -> {
            if (had) {
                map.put(key, old);
            } else {
                map.remove(key);
            }
        });
    }

    private <K, V> void remove(Map<K, V> map, K key) {
        if (!map.containsKey(key)) {
            return;
        }
        V old = map.remove(key);
        undo.push(() -> map.put(key, old));
    }

    /** Appends {@code value} to the list {@code rows} holds for {@code runId}, creating it when missing. */
    private <T> void appendForRun(Map<String, List<T>> rows, String runId, T value) {
        List<T> list = rows.get(runId);
        if (list == null) {
            list = new ArrayList<>();
            put(rows, runId, list);
        }
        List<T> target = list;
        target.add(value);
        undo.push(() -> target.remove(target.size() - 1));
    }

    private final class Tx implements StoreTransaction {
        private final Runs runs = new Runs();
        private final Steps steps = new Steps();
        private final Artifacts artifacts = new Artifacts();
        private final ToolCalls toolCalls = new ToolCalls();
        private final Timeline timeline = new Timeline();
        private final Intents intents = new Intents();
        private final GraphVersions graphVersions = new GraphVersions();

        @Override
        public RunRepository runs() {
            return runs;
        }

        @Override
        public StepRepository steps() {
            return steps;
        }

        @Override
        public ArtifactRepository artifacts() {
            return artifacts;
        }

        @Override
        public ToolCallRepository toolCalls() {
            return toolCalls;
        }

        @Override
        public TimelineRepository timeline() {
            return timeline;
        }

        @Override
        public IntentRepository intents() {
            return intents;
        }

        @Override
        public GraphVersionRepository graphVersions() {
            return graphVersions;
        }
    }

    private final class Runs implements RunRepository {

        @Override
        public void insert(RunRecord run) {
            if (runRows.containsKey(run.id())) {
                throw new IllegalStateException("duplicate run id " + run.id());
            }
            put(runRows, run.id(), run);
        }

        @Override
        public Optional<RunRecord> find(String runId) {
            return Optional.ofNullable(runRows.get(runId));
        }

        /** Transactions run one at a time here, so holding a run is reading it. */
        @Override
        public Optional<RunRecord> lock(String runId) {
            return find(runId);
        }

        @Override
        public Optional<RunRepository.IdempotencyReservation> reserveIdempotencyKey(
                String key, String requestHash, String runId, Instant at) {
            RunRepository.IdempotencyReservation existing = idempotency.get(key);
            if (existing != null) {
                return Optional.of(existing);
            }
            put(idempotency, key, new RunRepository.IdempotencyReservation(key, requestHash, runId));
            return Optional.empty();
        }

        @Override
        public boolean updateStatus(String runId, RunStatus expected, RunStatus next, Instant at, JsonNode output) {
            RunRecord r = runRows.get(runId);
            if (r == null || r.status() != expected) {
                return false;
            }
            put(
                    runRows,
                    runId,
                    new RunRecord(
                            r.id(),
                            r.graph(),
                            r.version(),
                            next,
                            r.input(),
                            output != null ? output : r.output(),
                            r.idempotencyKey(),
                            r.sinksRemaining(),
                            r.createdAt(),
                            at,
                            next.isTerminal() ? at : null));
            return true;
        }

        @Override
        public int decrementSinksRemaining(String runId) {
            RunRecord r = Objects.requireNonNull(runRows.get(runId), "no run " + runId);
            int left = r.sinksRemaining() - 1;
            put(
                    runRows,
                    runId,
                    new RunRecord(
                            r.id(),
                            r.graph(),
                            r.version(),
                            r.status(),
                            r.input(),
                            r.output(),
                            r.idempotencyKey(),
                            left,
                            r.createdAt(),
                            r.updatedAt(),
                            r.finishedAt()));
            return left;
        }

        @Override
        public List<RunRecord> list(RunFilter filter, RunCursor after, int limit) {
            Comparator<RunRecord> newestFirst = Comparator.comparing(RunRecord::createdAt)
                    .thenComparing(RunRecord::id)
                    .reversed();
            return runRows.values().stream()
                    .filter(r -> filter.status() == null || r.status() == filter.status())
                    .filter(r -> filter.graph() == null || r.graph().equals(filter.graph()))
                    .filter(r -> filter.idPrefix() == null || r.id().startsWith(filter.idPrefix()))
                    .filter(r -> after == null
                            || r.createdAt().isBefore(after.createdAt())
                            || (r.createdAt().equals(after.createdAt()) && r.id().compareTo(after.runId()) < 0))
                    .sorted(newestFirst)
                    .limit(limit)
                    .toList();
        }

        @Override
        public List<GraphVersionRef> unfinishedGraphVersions() {
            return runRows.values().stream()
                    .filter(r -> !r.status().isTerminal())
                    .map(r -> new GraphVersionRef(r.graph(), r.version()))
                    .distinct()
                    .sorted(Comparator.comparing(GraphVersionRef::graph).thenComparingInt(GraphVersionRef::version))
                    .toList();
        }

        @Override
        public Map<RunStatus, Long> countByStatus(String graph, long cap) {
            Map<RunStatus, Long> counts = new EnumMap<>(RunStatus.class);
            for (RunRecord r : runRows.values()) {
                if (graph == null || r.graph().equals(graph)) {
                    counts.merge(r.status(), 1L, (a, b) -> Math.min(cap, a + b));
                }
            }
            return counts;
        }

        @Override
        public Map<GraphVersionRef, Long> countUnfinishedByGraphVersion() {
            return runRows.values().stream()
                    .filter(r -> !r.status().isTerminal())
                    .collect(Collectors.groupingBy(
                            r -> new GraphVersionRef(r.graph(), r.version()), Collectors.counting()));
        }
    }

    private final class Steps implements StepRepository {

        @Override
        public void insertAll(List<StepRecord> records) {
            for (StepRecord s : records) {
                LinkedHashMap<String, StepRecord> ofRun = stepRows.get(s.runId());
                if (ofRun == null) {
                    ofRun = new LinkedHashMap<>();
                    put(stepRows, s.runId(), ofRun);
                }
                if (ofRun.containsKey(s.name())) {
                    throw new IllegalStateException("duplicate step " + s.runId() + "/" + s.name());
                }
                put(ofRun, s.name(), s);
            }
        }

        @Override
        public List<StepRecord> findByRun(String runId) {
            LinkedHashMap<String, StepRecord> ofRun = stepRows.get(runId);
            return ofRun == null ? List.of() : List.copyOf(ofRun.values());
        }

        @Override
        public Optional<StepRecord> find(String runId, String name) {
            LinkedHashMap<String, StepRecord> ofRun = stepRows.get(runId);
            return ofRun == null ? Optional.empty() : Optional.ofNullable(ofRun.get(name));
        }

        @Override
        public List<StepSummary> findSummaries(Collection<String> runIds, Set<StepStatus> statuses) {
            List<StepSummary> found = new ArrayList<>();
            for (String runId : new LinkedHashSet<>(runIds)) {
                for (StepRecord s : findByRun(runId)) {
                    if (statuses.contains(s.status())) {
                        found.add(new StepSummary(s.runId(), s.name(), s.status(), s.attempt()));
                    }
                }
            }
            return found;
        }

        @Override
        public boolean update(StepRecord next, StepStatus expectedStatus, int expectedAttempt) {
            LinkedHashMap<String, StepRecord> ofRun = stepRows.get(next.runId());
            StepRecord cur = ofRun == null ? null : ofRun.get(next.name());
            if (cur == null || cur.status() != expectedStatus || cur.attempt() != expectedAttempt) {
                return false;
            }
            put(
                    ofRun,
                    next.name(),
                    new StepRecord(
                            cur.runId(),
                            cur.name(),
                            next.status(),
                            next.attempt(),
                            next.budgetBase(),
                            next.pendingDeps(),
                            cur.dependsOn(),
                            next.leaseOwner(),
                            next.leaseUntil(),
                            next.dueAt(),
                            next.startedAt(),
                            next.finishedAt(),
                            next.output(),
                            next.error(),
                            next.updatedAt()));
            return true;
        }

        @Override
        public StepRecord decrementPendingDeps(String runId, String name) {
            LinkedHashMap<String, StepRecord> ofRun = stepRows.get(runId);
            StepRecord c = ofRun == null ? null : ofRun.get(name);
            if (c == null) {
                throw new IllegalStateException("no step " + runId + "/" + name);
            }
            StepRecord next = new StepRecord(
                    c.runId(),
                    c.name(),
                    c.status(),
                    c.attempt(),
                    c.budgetBase(),
                    c.pendingDeps() - 1,
                    c.dependsOn(),
                    c.leaseOwner(),
                    c.leaseUntil(),
                    c.dueAt(),
                    c.startedAt(),
                    c.finishedAt(),
                    c.output(),
                    c.error(),
                    c.updatedAt());
            put(ofRun, name, next);
            return next;
        }

        @Override
        public List<StepRecord> findLeasedBy(String owner) {
            return stepRows.values().stream()
                    .flatMap(m -> m.values().stream())
                    .filter(s -> s.status() == StepStatus.RUNNING && owner.equals(s.leaseOwner()))
                    .toList();
        }

        @Override
        public List<StepRecord> findExpiredLeases(Instant now, StepCursor after, int limit) {
            return scan(
                    s -> s.status() == StepStatus.RUNNING
                            && s.leaseUntil() != null
                            && s.leaseUntil().isBefore(now),
                    StepRecord::leaseUntil,
                    after,
                    limit);
        }

        @Override
        public List<StepRecord> findStranded(Instant dueBefore, StepCursor after, int limit) {
            LinkedHashSet<String> withIntent = new LinkedHashSet<>();
            intentRows.values().forEach(i -> withIntent.add(i.runId() + "/" + i.step()));
            return scan(
                    s -> s.status().isClaimable()
                            && s.dueAt() != null
                            && s.dueAt().isBefore(dueBefore)
                            && !withIntent.contains(s.runId() + "/" + s.name()),
                    StepRecord::dueAt,
                    after,
                    limit);
        }

        /** Steps of unfinished runs that match, in keyset order of (time, run id, step name) after a cursor. */
        private List<StepRecord> scan(
                Predicate<StepRecord> matches, Function<StepRecord, Instant> time, StepCursor after, int limit) {
            Comparator<StepRecord> order =
                    Comparator.comparing(time).thenComparing(StepRecord::runId).thenComparing(StepRecord::name);
            return stepRows.values().stream()
                    .flatMap(m -> m.values().stream())
                    .filter(s -> !runRows.get(s.runId()).status().isTerminal())
                    .filter(matches)
                    .filter(s -> after == null || isAfter(time.apply(s), s, after))
                    .sorted(order)
                    .limit(limit)
                    .toList();
        }

        private static boolean isAfter(Instant at, StepRecord step, StepCursor cursor) {
            int byTime = at.compareTo(cursor.at());
            if (byTime != 0) {
                return byTime > 0;
            }
            int byRun = step.runId().compareTo(cursor.runId());
            return byRun != 0 ? byRun > 0 : step.name().compareTo(cursor.step()) > 0;
        }
    }

    private final class Artifacts implements ArtifactRepository {

        @Override
        public boolean insertIfAbsent(ArtifactRecord artifact) {
            String key = artifactKey(artifact.runId(), artifact.step(), artifact.key());
            if (artifactRows.containsKey(key)) {
                return false;
            }
            put(artifactRows, key, artifact);
            return true;
        }

        @Override
        public List<ArtifactSummary> list(String runId) {
            return artifactRows.values().stream()
                    .filter(a -> a.runId().equals(runId))
                    .sorted(Comparator.comparing(ArtifactRecord::step).thenComparing(ArtifactRecord::key))
                    .map(ArtifactRecord::summary)
                    .toList();
        }

        @Override
        public Optional<ArtifactRecord> find(String runId, String step, String key) {
            return Optional.ofNullable(artifactRows.get(artifactKey(runId, step, key)));
        }
    }

    private final class ToolCalls implements ToolCallRepository {

        @Override
        public void insertAll(List<ToolCallRecord> calls) {
            for (ToolCallRecord c : calls) {
                appendForRun(toolCallRows, c.runId(), c);
            }
        }

        @Override
        public List<ToolCallRecord> findByRun(String runId) {
            return List.copyOf(toolCallRows.getOrDefault(runId, List.of()));
        }
    }

    private final class Timeline implements TimelineRepository {

        @Override
        public void append(List<TimelineEvent> events) {
            for (TimelineEvent e : events) {
                appendForRun(timelineRows, e.runId(), e.withSeq(0));
            }
        }

        @Override
        public List<TimelineEvent> findByRun(String runId) {
            List<TimelineEvent> list = timelineRows.getOrDefault(runId, List.of());
            List<TimelineEvent> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(list.get(i).withSeq(i + 1));
            }
            return out;
        }
    }

    private final class Intents implements IntentRepository {

        @Override
        public void insertAll(List<DispatchIntent> list) {
            for (DispatchIntent i : list) {
                put(intentRows, i.id(), i);
            }
        }

        /** Transactions run one at a time here, so no run is ever held by another one. */
        @Override
        public List<DispatchIntent> claimDue(Instant now, int limit) {
            List<DispatchIntent> due = intentRows.values().stream()
                    .filter(i -> !i.dueAt().isAfter(now))
                    .sorted(Comparator.comparing(DispatchIntent::dueAt))
                    .limit(limit)
                    .toList();
            due.forEach(i -> deleteOne(i.id()));
            return due;
        }

        @Override
        public List<DispatchIntent> lease(String owner, Instant now, Instant until, int limit) {
            List<DispatchIntent> free = intentRows.values().stream()
                    .filter(i -> !intentLeases.containsKey(i.id())
                            || !intentLeases.get(i.id()).isAfter(now))
                    .sorted(Comparator.comparing(DispatchIntent::createdAt).thenComparing(DispatchIntent::id))
                    .limit(limit)
                    .toList();
            free.forEach(i -> put(intentLeases, i.id(), until));
            return free;
        }

        @Override
        public void releaseUntil(Collection<String> intentIds, Instant at) {
            intentIds.stream().filter(intentRows::containsKey).forEach(id -> put(intentLeases, id, at));
        }

        @Override
        public Optional<DispatchIntent> find(String intentId) {
            return Optional.ofNullable(intentRows.get(intentId));
        }

        @Override
        public Optional<Instant> nextLeasableAt() {
            return intentRows.values().stream()
                    .map(i -> intentLeases.getOrDefault(i.id(), i.createdAt()))
                    .min(Comparator.naturalOrder());
        }

        @Override
        public void delete(Collection<String> intentIds) {
            intentIds.forEach(this::deleteOne);
        }

        private void deleteOne(String id) {
            remove(intentRows, id);
            remove(intentLeases, id);
        }

        @Override
        public boolean existsForStep(String runId, String step) {
            return intentRows.values().stream()
                    .anyMatch(i -> i.runId().equals(runId) && i.step().equals(step));
        }

        @Override
        public int deleteForStep(String runId, String step) {
            return deleteWhere(i -> i.runId().equals(runId) && i.step().equals(step));
        }

        @Override
        public int deleteForRun(String runId) {
            return deleteWhere(i -> i.runId().equals(runId));
        }

        private int deleteWhere(Predicate<DispatchIntent> condition) {
            List<String> ids = intentRows.values().stream()
                    .filter(condition)
                    .map(DispatchIntent::id)
                    .toList();
            ids.forEach(this::deleteOne);
            return ids.size();
        }

        @Override
        public Optional<Instant> nextDueAt() {
            return intentRows.values().stream().map(DispatchIntent::dueAt).min(Comparator.naturalOrder());
        }

        @Override
        public long count() {
            return intentRows.size();
        }
    }

    private final class GraphVersions implements GraphVersionRepository {

        @Override
        public Optional<GraphVersionRecord> find(String name, int version) {
            return Optional.ofNullable(graphVersionRows.get(name + "@" + version));
        }

        @Override
        public boolean insertIfAbsent(GraphVersionRecord record) {
            String key = record.name() + "@" + record.version();
            if (graphVersionRows.containsKey(key)) {
                return false;
            }
            put(graphVersionRows, key, record);
            return true;
        }

        @Override
        public List<GraphVersionRecord> list() {
            return List.copyOf(graphVersionRows.values());
        }
    }

    private static String artifactKey(String runId, String step, String key) {
        return runId + "\u0000" + step + "\u0000" + key;
    }
}
