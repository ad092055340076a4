package io.durableruns.qstash.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmulatorBackoffTest {
    private static final Instant NOW = Instant.parse("2026-02-01T10:00:00Z");

    private final EmulatorSettings settings = TestSettings.at(NOW);
    private final EmulatorCore core = new EmulatorCore(settings);

    @AfterEach
    void close() {
        core.close();
    }

    private PublishSpec spec(Map<String, String> headers) {
        return PublishSpec.parse("https://example.com/x", headers, new byte[0], settings);
    }

    private static EmulatorCore.Answer answer(Map<String, List<String>> headers) {
        return new EmulatorCore.Answer(503, headers, new byte[0]);
    }

    @Test
    void default_backoff_is_min_86400_e_to_the_2_5_n_seconds() {
        assertThat(EmulatorCore.defaultBackoff(1)).isEqualTo(Duration.ofMillis(12_182));
        assertThat(EmulatorCore.defaultBackoff(2)).isEqualTo(Duration.ofMillis(148_413));
        assertThat(EmulatorCore.defaultBackoff(3)).isEqualTo(Duration.ofMillis(1_808_042));
        assertThat(EmulatorCore.defaultBackoff(4)).isEqualTo(Duration.ofMillis(22_026_465));
        assertThat(EmulatorCore.defaultBackoff(5)).isEqualTo(Duration.ofDays(1));
        assertThat(EmulatorCore.defaultBackoff(9)).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void the_next_delay_uses_the_default_backoff_for_retry_n_equal_to_retried_plus_one() {
        assertThat(core.nextDelay(spec(Map.of()), 0, answer(Map.of()))).isEqualTo(EmulatorCore.defaultBackoff(1));
        assertThat(core.nextDelay(spec(Map.of()), 2, answer(Map.of()))).isEqualTo(EmulatorCore.defaultBackoff(3));
    }

    @Test
    void the_retry_delay_expression_replaces_the_default_and_sees_retried_from_zero() {
        PublishSpec s = spec(Map.of("Upstash-Retry-Delay", "1000 * pow(2, retried)"));
        assertThat(core.nextDelay(s, 0, answer(Map.of()))).isEqualTo(Duration.ofSeconds(1));
        assertThat(core.nextDelay(s, 3, answer(Map.of()))).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void retry_after_on_the_answer_wins_over_the_expression_and_is_capped_at_a_day() {
        PublishSpec s = spec(Map.of("Upstash-Retry-Delay", "1000"));
        assertThat(core.nextDelay(s, 0, answer(Map.of("retry-after", List.of("42")))))
                .isEqualTo(Duration.ofSeconds(42));
        assertThat(core.nextDelay(s, 0, answer(Map.of("Retry-After", List.of("6m5s")))))
                .isEqualTo(Duration.ofSeconds(365));
        assertThat(core.nextDelay(s, 0, answer(Map.of("Retry-After", List.of("200000")))))
                .isEqualTo(Duration.ofDays(1));
        assertThat(core.nextDelay(s, 0, answer(Map.of("Retry-After", List.of("later")))))
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void header_names_are_canonical_like_qstash_writes_them() {
        assertThat(PublishSpec.canonical("my-header")).isEqualTo("My-Header");
        assertThat(PublishSpec.canonical("X-REQUEST-ID")).isEqualTo("X-Request-Id");
        PublishSpec s = spec(Map.of("upstash-forward-x-trace-id", "abc", "authorization", "Bearer secret"));
        assertThat(s.forwardHeaders()).containsEntry("X-Trace-Id", "abc");
        assertThat(s.sourceHeaders()).doesNotContainKey("Authorization");
    }
}
