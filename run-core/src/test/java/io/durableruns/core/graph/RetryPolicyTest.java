package io.durableruns.core.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void the_default_policy_is_finite() {
        assertThat(RetryPolicy.defaults().maxAttempts()).isEqualTo(3);
        assertThat(RetryPolicy.noRetries().maxAttempts()).isEqualTo(1);
    }

    @Test
    void backoff_grows_by_the_multiplier_up_to_the_maximum() {
        RetryPolicy p = RetryPolicy.newBuilder()
                .initialBackoff(Duration.ofSeconds(1))
                .multiplier(3)
                .maxBackoff(Duration.ofSeconds(10))
                .jitter(0)
                .build();
        assertThat(p.backoff(1, 0.5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(2, 0.5)).isEqualTo(Duration.ofSeconds(3));
        assertThat(p.backoff(3, 0.5)).isEqualTo(Duration.ofSeconds(9));
        assertThat(p.backoff(4, 0.5)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void jitter_shortens_the_backoff_by_at_most_its_fraction() {
        RetryPolicy p = RetryPolicy.newBuilder()
                .initialBackoff(Duration.ofSeconds(10))
                .maxBackoff(Duration.ofSeconds(10))
                .jitter(0.5)
                .build();
        assertThat(p.backoff(1, 0.0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.backoff(1, 0.999)).isBetween(Duration.ofMillis(5000), Duration.ofMillis(5020));
    }

    @Test
    void non_retryable_types_include_subtypes() {
        RetryPolicy p = RetryPolicy.newBuilder()
                .nonRetryable(IllegalArgumentException.class)
                .build();
        assertThat(p.isRetryable(new NumberFormatException())).isFalse();
        assertThat(p.isRetryable(new UncheckedIOException(new IOException()))).isTrue();
    }

    @Test
    void invalid_settings_are_refused_at_build_time_naming_the_field() {
        assertThatThrownBy(() -> RetryPolicy.newBuilder().maxAttempts(0).build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("maxAttempts must be at least 1");
        assertThatThrownBy(() -> RetryPolicy.newBuilder()
                        .initialBackoff(Duration.ofSeconds(-1))
                        .build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("initialBackoff");
        assertThatThrownBy(() -> RetryPolicy.newBuilder()
                        .initialBackoff(Duration.ofMinutes(5))
                        .build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("maxBackoff");
        assertThatThrownBy(() -> RetryPolicy.newBuilder().multiplier(0.5).build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> RetryPolicy.newBuilder().jitter(1.5).build())
                .isInstanceOf(GraphDefinitionException.class)
                .hasMessageContaining("jitter");
    }
}
