package io.durableruns.core.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durableruns.ports.GraphNotFoundException;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphRegistryTest {
    private static StepGraph graph(String name, int version, String... steps) {
        StepGraph.Builder b = StepGraph.builder(name, version);
        String previous = null;
        for (String s : steps) {
            b = previous == null ? b.step(s, ctx -> null) : b.step(s, List.of(previous), ctx -> null);
            previous = s;
        }
        return b.build();
    }

    @Test
    void holds_several_versions_of_several_graphs_and_resolves_the_newest() {
        GraphRegistry r = new GraphRegistry()
                .register(graph("research", 1, "a"))
                .register(graph("research", 2, "a", "b"))
                .register(graph("flaky", 1, "wobble"));
        assertThat(r.resolve("research", null).version()).isEqualTo(2);
        assertThat(r.resolve("research", 1).steps()).hasSize(1);
        assertThat(r.all())
                .extracting(g -> g.name() + "@" + g.version())
                .containsExactly("flaky@1", "research@1", "research@2");
        assertThatThrownBy(() -> r.resolve("research", 3))
                .isInstanceOf(GraphNotFoundException.class)
                .hasMessageContaining("no registered version 3");
        assertThatThrownBy(() -> r.resolve("nope", null)).isInstanceOf(GraphNotFoundException.class);
    }

    @Test
    void registering_the_same_structure_again_is_allowed() {
        GraphRegistry r = new GraphRegistry().register(graph("g", 1, "a", "b"));
        r.register(graph("g", 1, "a", "b"));
        assertThat(r.all()).hasSize(1);
    }

    @Test
    void a_changed_structure_under_the_same_version_is_refused_with_advice_to_bump() {
        GraphRegistry r = new GraphRegistry().register(graph("g", 1, "a", "b"));
        assertThatThrownBy(() -> r.register(graph("g", 1, "a", "b", "c")))
                .isInstanceOf(GraphVersionConflictException.class)
                .hasMessageContaining("bump the version to 2");
        assertThat(r.resolve("g", 1).steps()).hasSize(2);
    }
}
