package io.durableruns.core.engine;

import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepStatus;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The run and step state machines: every status change the engine makes is checked here, in one place.
 *
 * <pre>
 * step: PENDING  -> QUEUED (dependencies done) | CANCELLED
 *       QUEUED   -> RUNNING (claimed) | CANCELLED | RETRYING, FAILED (the queue could not deliver the attempt)
 *       RUNNING  -> SUCCEEDED | RETRYING | FAILED | QUEUED (released unstarted at shutdown)
 *                   | CANCELLED (its run finished: cancelled, or failed by another step)
 *       RETRYING -> RUNNING | CANCELLED | RETRYING, FAILED (the queue could not deliver the attempt)
 *       FAILED   -> QUEUED (manual retry of the run)
 *       CANCELLED-> QUEUED | PENDING (manual retry of a failed run)
 * Every step that has not finished when its run finishes becomes CANCELLED in the same transaction.
 * run:  QUEUED   -> RUNNING | FAILED | CANCELLED
 *       RUNNING  -> SUCCEEDED | FAILED | CANCELLED
 *       FAILED   -> QUEUED (manual retry)
 * </pre>
 */
public final class Transitions {
    private static final Map<StepStatus, Set<StepStatus>> STEP = new EnumMap<>(StepStatus.class);
    private static final Map<RunStatus, Set<RunStatus>> RUN = new EnumMap<>(RunStatus.class);

    static {
        STEP.put(StepStatus.PENDING, EnumSet.of(StepStatus.QUEUED, StepStatus.CANCELLED));
        STEP.put(
                StepStatus.QUEUED,
                EnumSet.of(StepStatus.RUNNING, StepStatus.CANCELLED, StepStatus.RETRYING, StepStatus.FAILED));
        STEP.put(
                StepStatus.RUNNING,
                EnumSet.of(
                        StepStatus.SUCCEEDED,
                        StepStatus.RETRYING,
                        StepStatus.FAILED,
                        StepStatus.CANCELLED,
                        StepStatus.QUEUED));
        STEP.put(
                StepStatus.RETRYING,
                EnumSet.of(StepStatus.RUNNING, StepStatus.CANCELLED, StepStatus.RETRYING, StepStatus.FAILED));
        STEP.put(StepStatus.SUCCEEDED, EnumSet.noneOf(StepStatus.class));
        STEP.put(StepStatus.FAILED, EnumSet.of(StepStatus.QUEUED));
        STEP.put(StepStatus.CANCELLED, EnumSet.of(StepStatus.QUEUED, StepStatus.PENDING));

        RUN.put(RunStatus.QUEUED, EnumSet.of(RunStatus.RUNNING, RunStatus.FAILED, RunStatus.CANCELLED));
        RUN.put(RunStatus.RUNNING, EnumSet.of(RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED));
        RUN.put(RunStatus.SUCCEEDED, EnumSet.noneOf(RunStatus.class));
        RUN.put(RunStatus.FAILED, EnumSet.of(RunStatus.QUEUED));
        RUN.put(RunStatus.CANCELLED, EnumSet.noneOf(RunStatus.class));
    }

    private Transitions() {}

    public static boolean allowed(StepStatus from, StepStatus to) {
        return STEP.get(from).contains(to);
    }

    public static boolean allowed(RunStatus from, RunStatus to) {
        return RUN.get(from).contains(to);
    }

    /** @throws IllegalTransitionException when the change is not allowed */
    public static StepStatus check(StepStatus from, StepStatus to) {
        if (!allowed(from, to)) {
            throw new IllegalTransitionException("step", from, to);
        }
        return to;
    }

    /** @throws IllegalTransitionException when the change is not allowed */
    public static RunStatus check(RunStatus from, RunStatus to) {
        if (!allowed(from, to)) {
            throw new IllegalTransitionException("run", from, to);
        }
        return to;
    }
}
