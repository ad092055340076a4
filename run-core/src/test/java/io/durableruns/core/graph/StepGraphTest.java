package io.durableruns.core.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepGraphTest {
    private static final StepHandler NOOP = ctx -> null;

    @Test
    void steps_come_out_in_a_topological_order_with_successors_roots_and_sinks() {
        StepGraph g = StepGraph.builder("research", 1)
                .step("write-spec", List.of("synthesize"), NOOP)
                .step("plan", NOOP)
                .step("synthesize", List.of("search-web", "search-papers"), NOOP)
                .step("search-web", List.of("plan"), NOOP)
                .step("search-papers", List.of("plan"), NOOP)
                .build();
        List<String> order = g.steps().stream().map(StepDefinition::name).toList();
        assertThat(order.indexOf("plan")).isLessThan(order.indexOf("search-web"));
        assertThat(order.indexOf("search-papers")).isLessThan(order.indexOf("synthesize"));
        assertThat(order.indexOf("synthesize")).isLessThan(order.indexOf("write-spec"));
        assertThat(g.successors("plan")).containsExactlyInAnyOrder("search-web", "search-papers");
        assertThat(g.roots()).extracting(StepDefinition::name).containsExactly("plan");
        assertThat(g.sinks()).extracting(StepDefinition::name).containsExactly("write-spec");
    }

    @Test
    void a_cycle_is_refused_and_named() {
        assertThatThrownBy(() -> StepGraph.builder("g", 1)
                        .step("a", List.of("c"), NOOP)
                        .step("b", List.of("a"), NOOP)
                        .step("c", List.of("b"), NOOP)
                        .step("d", NOOP)
                        .build())
                .isInstanceOf(GraphCycleException.class)
                .hasMessageContaining("cycle")
                .satisfies(e -> {
                    List<String> cycle = ((GraphCycleException) e).cycle();
                    assertThat(cycle).hasSize(4).containsOnly("a", "b", "c");
                    assertThat(cycle.get(0)).isEqualTo(cycle.get(3));
                    // a depends on c, so c comes right before a in dependency order
                    assertThat(String.join(">", cycle) + ">" + String.join(">", cycle))
                            .contains("c>a>b");
                });
    }

    @Test
    void a_step_depending_on_itself_is_a_cycle() {
        assertThatThrownBy(() ->
                        StepGraph.builder("g", 1).step("a", List.of("a"), NOOP).build())
                .isInstanceOf(GraphCycleException.class)
                .hasMessageContaining("a -> a");
    }

    @Test
    void an_unknown_dependency_is_refused() {
        assertThatThrownBy(() -> StepGraph.builder("g", 1)
                        .step("a", List.of("missing"), NOOP)
                        .build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("step 'a' depends on unknown step 'missing'");
    }

    @Test
    void duplicate_step_names_are_refused() {
        assertThatThrownBy(() -> StepGraph.builder("g", 1)
                        .step("a", NOOP)
                        .step("a", NOOP)
                        .build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("duplicate step name 'a'");
    }

    @Test
    void invalid_names_are_refused() {
        assertThatThrownBy(
                        () -> StepGraph.builder("g", 1).step("Bad Name", NOOP).build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("invalid step name 'Bad Name'");
        assertThatThrownBy(() -> StepGraph.builder("-g", 1).step("a", NOOP).build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("invalid graph name");
        assertThatThrownBy(() ->
                        StepGraph.builder("g", 1).step("a".repeat(65), NOOP).build())
                .isInstanceOf(GraphDefinitionException.class);
    }

    @Test
    void an_empty_graph_is_refused() {
        assertThatThrownBy(() -> StepGraph.builder("g", 1).build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("at least one step");
    }

    @Test
    void a_non_positive_version_is_refused() {
        assertThatThrownBy(() -> StepGraph.builder("g", 0).step("a", NOOP).build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("version must be a positive integer");
    }

    @Test
    void a_non_positive_timeout_is_refused() {
        assertThatThrownBy(() -> StepGraph.builder("g", 1)
                        .step(StepDefinition.named("a").timeout(Duration.ZERO).handler(NOOP))
                        .build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("step 'a' timeout must be positive");
        assertThatThrownBy(() -> StepGraph.builder("g", 1)
                        .defaultTimeout(Duration.ofSeconds(-1))
                        .step("a", NOOP)
                        .build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("defaultTimeout must be positive");
    }

    @Test
    void a_step_without_handler_is_refused() {
        assertThatThrownBy(() -> StepGraph.builder("g", 1)
                        .step(StepDefinition.named("a"))
                        .build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("step 'a' has no handler");
    }

    @Test
    void a_dependency_listed_twice_is_refused() {
        assertThatThrownBy(() -> StepGraph.builder("g", 1)
                        .step("a", NOOP)
                        .step("b", List.of("a", "a"), NOOP)
                        .build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("lists dependency 'a' twice");
    }

    @Test
    void the_fingerprint_depends_on_structure_and_policies_but_not_on_handlers_or_declaration_order() {
        StepGraph one = StepGraph.builder("g", 1)
                .step("a", ctx -> 1)
                .step("b", List.of("a"), ctx -> 2)
                .build();
        StepGraph sameStructure = StepGraph.builder("g", 1)
                .step("b", List.of("a"), ctx -> "x")
                .step("a", ctx -> "y")
                .build();
        StepGraph otherDeps =
                StepGraph.builder("g", 1).step("a", NOOP).step("b", NOOP).build();
        StepGraph otherPolicy = StepGraph.builder("g", 1)
                .step(StepDefinition.named("a")
                        .retry(RetryPolicy.newBuilder().maxAttempts(5).build())
                        .handler(NOOP))
                .step("b", List.of("a"), NOOP)
                .build();
        StepGraph otherTimeout = StepGraph.builder("g", 1)
                .defaultTimeout(Duration.ofSeconds(9))
                .step("a", NOOP)
                .step("b", List.of("a"), NOOP)
                .build();
        assertThat(one.fingerprint()).startsWith("sha256:").isEqualTo(sameStructure.fingerprint());
        assertThat(one.fingerprint())
                .isNotEqualTo(otherDeps.fingerprint())
                .isNotEqualTo(otherPolicy.fingerprint())
                .isNotEqualTo(otherTimeout.fingerprint());
    }

    @Test
    void the_description_lists_steps_dependencies_policies_and_fingerprint() {
        StepGraph g = StepGraph.builder("g", 2)
                .step("a", NOOP)
                .step("b", List.of("a"), NOOP)
                .build();
        var d = g.describe();
        assertThat(d.name()).isEqualTo("g");
        assertThat(d.version()).isEqualTo(2);
        assertThat(d.fingerprint()).isEqualTo(g.fingerprint());
        assertThat(d.step("b").orElseThrow().dependsOn()).containsExactly("a");
        assertThat(d.step("a").orElseThrow().retry().maxAttempts()).isEqualTo(3);
        assertThat(d.step("a").orElseThrow().timeout()).isEqualTo(Duration.ofMinutes(5));
    }
}
