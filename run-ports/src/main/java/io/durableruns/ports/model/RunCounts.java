package io.durableruns.ports.model;

import java.util.EnumMap;
import java.util.Map;

/**
 * How many runs there are in each status, counted up to a cap so that counting stays cheap however many
 * finished runs the store keeps: a count equal to {@link #cap()} means "at least that many".
 *
 * <pre>{@code
 * RunCounts counts = runs.countRuns(null);
 * String failed = counts.isCapped(RunStatus.FAILED) ? counts.cap() + "+" : "" + counts.count(RunStatus.FAILED);
 * }</pre>
 *
 * @param byStatus a count for every status (0 where there are none)
 * @param cap the largest count reported
 */
public record RunCounts(Map<RunStatus, Long> byStatus, long cap) {
    /** The cap the engine counts to: counting more rows than this per status would make a dashboard slow. */
    public static final long DEFAULT_CAP = 10_000;

    public RunCounts {
        EnumMap<RunStatus, Long> all = new EnumMap<>(RunStatus.class);
        for (RunStatus status : RunStatus.values()) {
            all.put(status, Math.min(cap, byStatus.getOrDefault(status, 0L)));
        }
        byStatus = Map.copyOf(all);
    }

    public long count(RunStatus status) {
        return byStatus.get(status);
    }

    /** Whether there may be more runs in {@code status} than {@link #count} says. */
    public boolean isCapped(RunStatus status) {
        return count(status) >= cap;
    }
}
