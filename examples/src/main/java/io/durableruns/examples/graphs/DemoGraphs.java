package io.durableruns.examples.graphs;

import io.durableruns.core.graph.GraphRegistry;

/** The demo graphs the standalone server registers. */
public final class DemoGraphs {
    private DemoGraphs() {}

    public static GraphRegistry registry() {
        return new GraphRegistry().register(ResearchGraph.create()).register(FlakyGraph.create());
    }
}
