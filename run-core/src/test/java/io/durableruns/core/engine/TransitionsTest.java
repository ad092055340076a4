package io.durableruns.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.durableruns.ports.model.RunStatus;
import io.durableruns.ports.model.StepStatus;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every pair of statuses: the allowed ones pass, every other one is refused. */
class TransitionsTest {
    private static final Set<String> STEP_ALLOWED = Set.of(
            "PENDING>QUEUED",
            "PENDING>CANCELLED",
            "QUEUED>RUNNING",
            "QUEUED>CANCELLED",
            "QUEUED>RETRYING",
            "QUEUED>FAILED",
            "RUNNING>SUCCEEDED",
            "RUNNING>RETRYING",
            "RUNNING>FAILED",
            "RUNNING>CANCELLED",
            "RUNNING>QUEUED",
            "RETRYING>RUNNING",
            "RETRYING>CANCELLED",
            "RETRYING>RETRYING",
            "RETRYING>FAILED",
            "FAILED>QUEUED",
            "CANCELLED>QUEUED",
            "CANCELLED>PENDING");

    private static final Set<String> RUN_ALLOWED = Set.of(
            "QUEUED>RUNNING",
            "QUEUED>RETRYING",
            "QUEUED>FAILED",
            "QUEUED>CANCELLED",
            "RUNNING>SUCCEEDED",
            "RUNNING>FAILED",
            "RUNNING>CANCELLED",
            "FAILED>QUEUED");

    @Test
    void every_step_transition_is_decided_and_illegal_ones_are_refused() {
        int checked = 0;
        for (StepStatus from : StepStatus.values()) {
            for (StepStatus to : StepStatus.values()) {
                boolean expected = STEP_ALLOWED.contains(from + ">" + to);
                assertThat(Transitions.allowed(from, to)).as(from + " -> " + to).isEqualTo(expected);
                if (expected) {
                    assertThat(Transitions.check(from, to)).isEqualTo(to);
                } else {
                    assertThatThrownBy(() -> Transitions.check(from, to))
                            .isInstanceOf(IllegalTransitionException.class)
                            .hasMessageContaining(from + " -> " + to);
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(49);
    }

    @Test
    void every_run_transition_is_decided_and_illegal_ones_are_refused() {
        for (RunStatus from : RunStatus.values()) {
            for (RunStatus to : RunStatus.values()) {
                boolean expected = RUN_ALLOWED.contains(from + ">" + to);
                assertThat(Transitions.allowed(from, to)).as(from + " -> " + to).isEqualTo(expected);
                if (!expected) {
                    assertThatThrownBy(() -> Transitions.check(from, to))
                            .isInstanceOf(IllegalTransitionException.class);
                }
            }
        }
    }

    @Test
    void terminal_statuses_have_no_way_out_except_a_manual_retry() {
        for (StepStatus to : StepStatus.values()) {
            assertThat(Transitions.allowed(StepStatus.SUCCEEDED, to)).isFalse();
        }
        for (RunStatus to : RunStatus.values()) {
            assertThat(Transitions.allowed(RunStatus.SUCCEEDED, to)).isFalse();
            assertThat(Transitions.allowed(RunStatus.CANCELLED, to)).isFalse();
        }
    }
}
