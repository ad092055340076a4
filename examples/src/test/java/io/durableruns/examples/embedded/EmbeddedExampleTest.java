package io.durableruns.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedExampleTest {
    @TempDir
    Path dir;

    @Test
    void the_embedded_example_runs_its_graph_and_a_second_call_with_the_same_key_reuses_the_run() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("embedded.db");
        assertThat(EmbeddedExample.greet(url, "Ada")).isEqualTo("Hello, Ada");
        assertThat(EmbeddedExample.greet(url, "Ada")).isEqualTo("Hello, Ada");
        assertThat(EmbeddedExample.greet(url, "Grace")).isEqualTo("Hello, Grace");
    }
}
