package io.durableruns.examples.bench;

import io.durableruns.core.graph.StepGraph;
import java.util.ArrayList;
import java.util.List;

/** The graph shapes of the benchmark, with no-op handlers that record when they start and end. */
enum Workload {
    /** Five steps in a line: {@code s1 -> s2 -> s3 -> s4 -> s5}. Every hand-off is measured. */
    CHAIN("chain-5", "bench-chain", chain(5)),
    /**
     * Twenty-five steps in a line, measured as {@link #CHAIN}, with a fifth of its runs (the same number of steps). Not
     * run by default: set beside the chain of five, it tells what a run costs apart from its links (its creation,
     * its first claim from the queue, its finish).
     */
    CHAIN_25("chain-25", "bench-chain-25", chain(25)),
    /**
     * {@code root -> b01 .. b10 (in parallel) -> join}: twelve steps. Only the fan-in hand-off (the last branch to the
     * join) is measured: with every run created up front, a branch waits behind the branches of all earlier runs, so
     * the root-to-branch delay is queueing time, not hand-off time.
     */
    FAN_OUT("fan-out-10", "bench-fan-out", fanOut(10)),
    /**
     * {@code root -> b001 .. b500 -> join}: 502 steps, measured as {@link #FAN_OUT}. Not run by default: it shows
     * what grows with the number of a run's steps (a claim that read every step of its run read 502 rows).
     */
    FAN_OUT_500("fan-out-500", "bench-fan-out-500", fanOut(500));

    private final String label;
    private final String graphName;
    private final List<Step> steps;

    Workload(String label, String graphName, List<Step> steps) {
        this.label = label;
        this.graphName = graphName;
        this.steps = steps;
    }

    /**
     * A step of the graph: its name, the indexes of the steps it depends on, and whether its hand-off latency is
     * measured.
     */
    record Step(String name, int[] dependencies, boolean measured) {}

    String label() {
        return label;
    }

    String graphName() {
        return graphName;
    }

    int stepsPerRun() {
        return steps.size();
    }

    List<Step> steps() {
        return steps;
    }

    /**
     * The graph, whose handlers report to {@code clock}. Every graph built here has the same structure (and so the
     * same fingerprint), whatever clock it reports to.
     */
    StepGraph graph(HandlerClock clock) {
        StepGraph.Builder builder = StepGraph.builder(graphName, 1);
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            int index = i;
            List<String> dependsOn = new ArrayList<>();
            for (int d : step.dependencies()) {
                dependsOn.add(steps.get(d).name());
            }
            builder.step(step.name(), dependsOn, ctx -> {
                int run = ctx.input().path("i").asInt();
                clock.started(run, index);
                clock.ended(run, index);
                return null;
            });
        }
        return builder.build();
    }

    private static List<Step> chain(int length) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            steps.add(new Step("s" + (i + 1), i == 0 ? new int[0] : new int[] {i - 1}, i > 0));
        }
        return List.copyOf(steps);
    }

    private static List<Step> fanOut(int width) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("root", new int[0], false));
        int[] branches = new int[width];
        for (int i = 1; i <= width; i++) {
            steps.add(new Step(String.format(width < 100 ? "b%02d" : "b%03d", i), new int[] {0}, false));
            branches[i - 1] = i;
        }
        steps.add(new Step("join", branches, true));
        return List.copyOf(steps);
    }
}
