package io.durableruns.core.contract;

import io.durableruns.core.StepContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts handler invocations per (run, step, attempt), for "ran once per attempt" assertions. */
public final class Calls {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    /** Records one invocation and returns {@code output}. */
    public Object record(StepContext ctx, Object output) {
        counts.computeIfAbsent(key(ctx.runId(), ctx.stepName(), ctx.attempt()), k -> new AtomicInteger())
                .incrementAndGet();
        return output;
    }

    public int of(String runId, String step, int attempt) {
        AtomicInteger n = counts.get(key(runId, step, attempt));
        return n == null ? 0 : n.get();
    }

    public int ofStep(String runId, String step) {
        return counts.entrySet().stream()
                .filter(e -> e.getKey().startsWith(runId + "/" + step + "/"))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }

    /** Every (run, step, attempt) that ran more than once. */
    public Map<String, Integer> duplicates() {
        Map<String, Integer> out = new ConcurrentHashMap<>();
        counts.forEach((k, v) -> {
            if (v.get() != 1) {
                out.put(k, v.get());
            }
        });
        return out;
    }

    public int total() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private static String key(String runId, String step, int attempt) {
        return runId + "/" + step + "/" + attempt;
    }
}
