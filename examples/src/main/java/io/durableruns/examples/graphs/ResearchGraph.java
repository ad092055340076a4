package io.durableruns.examples.graphs;

import io.durableruns.core.StepContext;
import io.durableruns.core.graph.RetryPolicy;
import io.durableruns.core.graph.StepDefinition;
import io.durableruns.core.graph.StepGraph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code research} demo graph, version 1: {@code plan} → {@code search-web} ∥ {@code search-papers} →
 * {@code synthesize} → {@code write-spec}. Every step records simulated tool usage; {@code write-spec}
 * stores the artifact {@code spec.md}. See {@link DemoInput} for the input knobs.
 */
public final class ResearchGraph {
    public static final String NAME = "research";

    private ResearchGraph() {}

    /** A plan: the queries to search for. */
    public record Plan(String topic, List<String> queries) {}

    /** Search hits from one source. */
    public record Hits(String source, List<String> items) {}

    /** The synthesis of both searches. */
    public record Synthesis(String topic, List<String> findings) {}

    public static StepGraph create() {
        RetryPolicy quick = RetryPolicy.newBuilder()
                .maxAttempts(3)
                .initialBackoff(Duration.ofMillis(500))
                .maxBackoff(Duration.ofSeconds(5))
                .build();
        return StepGraph.builder(NAME, 1)
                .defaultRetry(quick)
                .defaultTimeout(Duration.ofMinutes(2))
                .step("plan", ResearchGraph::plan)
                .step("search-web", List.of("plan"), ctx -> search(ctx, "web-search"))
                .step("search-papers", List.of("plan"), ctx -> search(ctx, "paper-search"))
                .step(StepDefinition.named("synthesize")
                        .dependsOn("search-web", "search-papers")
                        .handler(ResearchGraph::synthesize))
                .step("write-spec", List.of("synthesize"), ResearchGraph::writeSpec)
                .build();
    }

    private static Plan plan(StepContext ctx) throws Exception {
        DemoInput.apply(ctx);
        String topic = DemoInput.topic(ctx);
        List<String> queries = ctx.tools()
                .call("planner", Map.of("topic", topic), () -> List.of(topic + " overview", topic + " pitfalls"));
        return new Plan(topic, queries);
    }

    private static Hits search(StepContext ctx, String tool) throws Exception {
        DemoInput.apply(ctx);
        Plan plan = ctx.output("plan", Plan.class);
        List<String> items = new ArrayList<>();
        for (String q : plan.queries()) {
            items.addAll(ctx.tools().call(tool, Map.of("q", q), () -> List.of(tool + ": " + q)));
        }
        return new Hits(tool, items);
    }

    private static Synthesis synthesize(StepContext ctx) throws Exception {
        DemoInput.apply(ctx);
        Hits web = ctx.output("search-web", Hits.class);
        Hits papers = ctx.output("search-papers", Hits.class);
        List<String> findings = new ArrayList<>(web.items());
        findings.addAll(papers.items());
        ctx.tools().call("summarizer", Map.of("hits", findings.size()), () -> findings.size() + " findings");
        return new Synthesis(DemoInput.topic(ctx), findings);
    }

    private static Map<String, Object> writeSpec(StepContext ctx) throws Exception {
        DemoInput.apply(ctx);
        Synthesis s = ctx.output("synthesize", Synthesis.class);
        StringBuilder md = new StringBuilder("# Spec: ").append(s.topic()).append("\n\n## Findings\n");
        s.findings().forEach(f -> md.append("- ").append(f).append('\n'));
        ctx.tools().call("writer", Map.of("sections", 2), () -> "ok");
        ctx.artifacts().putText("spec.md", "text/markdown", md.toString());
        return Map.of("artifact", "spec.md", "findings", s.findings().size());
    }
}
