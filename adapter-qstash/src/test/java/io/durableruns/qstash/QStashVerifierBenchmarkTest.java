package io.durableruns.qstash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QStashVerifierBenchmarkTest {

    @Test
    void the_benchmark_verifies_genuine_signatures_and_reports_a_positive_cost() {
        assertThat(QStashVerifierBenchmark.run(1_000)).isPositive();
    }

    @Test
    void the_benchmark_needs_at_least_one_iteration() {
        assertThatThrownBy(() -> QStashVerifierBenchmark.run(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
