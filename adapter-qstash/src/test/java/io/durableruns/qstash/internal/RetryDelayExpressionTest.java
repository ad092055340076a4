package io.durableruns.qstash.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RetryDelayExpressionTest {

    @Test
    void evaluates_the_documented_example_over_retried() {
        RetryDelayExpression e = RetryDelayExpression.parse("pow(2, retried) * 1000");
        assertThat(e.delayMillis(0)).isEqualTo(1000);
        assertThat(e.delayMillis(1)).isEqualTo(2000);
        assertThat(e.delayMillis(3)).isEqualTo(8000);
    }

    @Test
    void supports_every_function_qstash_lists() {
        assertThat(RetryDelayExpression.parse("exp(1)").evaluate(0)).isCloseTo(Math.E, within(1e-12));
        assertThat(RetryDelayExpression.parse("sqrt(16)").evaluate(0)).isEqualTo(4);
        assertThat(RetryDelayExpression.parse("abs(-3)").evaluate(0)).isEqualTo(3);
        assertThat(RetryDelayExpression.parse("floor(2.7)").evaluate(0)).isEqualTo(2);
        assertThat(RetryDelayExpression.parse("ceil(2.1)").evaluate(0)).isEqualTo(3);
        assertThat(RetryDelayExpression.parse("round(2.5)").evaluate(0)).isEqualTo(3);
        assertThat(RetryDelayExpression.parse("min(5, 3, 4)").evaluate(0)).isEqualTo(3);
        assertThat(RetryDelayExpression.parse("max(1, retried)").evaluate(7)).isEqualTo(7);
    }

    @Test
    void honours_precedence_parentheses_unary_minus_and_decimals() {
        assertThat(RetryDelayExpression.parse("1 + 2 * 3").evaluate(0)).isEqualTo(7);
        assertThat(RetryDelayExpression.parse("(1 + 2) * 3").evaluate(0)).isEqualTo(9);
        assertThat(RetryDelayExpression.parse("10 - 4 - 3").evaluate(0)).isEqualTo(3);
        assertThat(RetryDelayExpression.parse("12 / 4 / 3").evaluate(0)).isEqualTo(1);
        assertThat(RetryDelayExpression.parse("-retried + 10").evaluate(4)).isEqualTo(6);
        assertThat(RetryDelayExpression.parse("1.5e3 * .5").evaluate(0)).isEqualTo(750);
        assertThat(RetryDelayExpression.parse(" min( 60000 , 1000*pow(2,retried) ) ")
                        .delayMillis(10))
                .isEqualTo(60000);
    }

    @Test
    void delay_is_never_negative_and_at_most_a_day() {
        assertThat(RetryDelayExpression.parse("0 - 5").delayMillis(0)).isZero();
        assertThat(RetryDelayExpression.parse("sqrt(-1)").delayMillis(0)).isZero();
        assertThat(RetryDelayExpression.parse("pow(10, 20)").delayMillis(0)).isEqualTo(86_400_000L);
        assertThat(RetryDelayExpression.parse("pow(10, 400)").delayMillis(0)).isEqualTo(86_400_000L);
        assertThat(RetryDelayExpression.parse("0 - pow(10, 400)").delayMillis(0))
                .isZero();
        assertThat(RetryDelayExpression.parse("0 / 0").delayMillis(0)).isZero();
    }

    @Test
    void refuses_malformed_expressions_with_a_message_that_says_where() {
        assertThatThrownBy(() -> RetryDelayExpression.parse("pow(2")).hasMessageContaining("expected ')'");
        assertThatThrownBy(() -> RetryDelayExpression.parse("rand()")).hasMessageContaining("unknown name 'rand'");
        assertThatThrownBy(() -> RetryDelayExpression.parse("pow(2)")).hasMessageContaining("pow takes 2 arguments");
        assertThatThrownBy(() -> RetryDelayExpression.parse("min(2)")).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> RetryDelayExpression.parse("1 +")).hasMessageContaining("unexpected end");
        assertThatThrownBy(() -> RetryDelayExpression.parse("2 3")).hasMessageContaining("unexpected '3'");
        assertThatThrownBy(() -> RetryDelayExpression.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> RetryDelayExpression.parse("(".repeat(100) + "1" + ")".repeat(100)))
                .hasMessageContaining("nested too deeply");
    }
}
