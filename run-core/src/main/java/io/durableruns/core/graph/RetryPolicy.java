package io.durableruns.core.graph;

import io.durableruns.ports.model.RetryPolicyDescription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How often a step is attempted and how long to wait between attempts. Backoff before attempt {@code n+1}
 * is {@code min(maxBackoff, initialBackoff * multiplier^(n-1))}, shortened by a random fraction of up to
 * {@code jitter}. Exceptions of a {@linkplain Builder#nonRetryable non-retryable} type, and
 * {@link io.durableruns.core.NonRetryableStepException}, fail the step at once.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.newBuilder()
 *         .maxAttempts(5)
 *         .initialBackoff(Duration.ofSeconds(2))
 *         .nonRetryable(IllegalArgumentException.class)
 *         .build();
 * }</pre>
 */
public final class RetryPolicy {
    private static final RetryPolicy DEFAULT = newBuilder().build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final double multiplier;
    private final Duration maxBackoff;
    private final double jitter;
    private final Set<Class<? extends Throwable>> nonRetryable;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.multiplier = b.multiplier;
        this.maxBackoff = b.maxBackoff;
        this.jitter = b.jitter;
        this.nonRetryable = Set.copyOf(b.nonRetryable);
    }

    /** Three attempts, 1 s initial backoff doubling up to 1 min, 20% jitter. */
    public static RetryPolicy defaults() {
        return DEFAULT;
    }

    /** A single attempt: any failure fails the step. */
    public static RetryPolicy noRetries() {
        return newBuilder().maxAttempts(1).build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public double multiplier() {
        return multiplier;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public double jitter() {
        return jitter;
    }

    /**
     * The wait before the next attempt after {@code failedAttempts} attempts of the current budget failed.
     *
     * @param random a value in [0, 1) that picks the jitter
     */
    public Duration backoff(int failedAttempts, double random) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempts - 1));
        millis = Math.min(millis, maxBackoff.toMillis());
        millis = millis * (1.0 - jitter * random);
        return Duration.ofMillis(Math.max(0, Math.round(millis)));
    }

    /** Whether {@code error} may be retried under this policy (ignoring the attempt count). */
    public boolean isRetryable(Throwable error) {
        for (Class<? extends Throwable> type : nonRetryable) {
            if (type.isInstance(error)) {
                return false;
            }
        }
        return true;
    }

    public RetryPolicyDescription describe() {
        List<String> names = new ArrayList<>();
        for (Class<? extends Throwable> type : nonRetryable) {
            names.add(type.getName());
        }
        names.sort(null);
        return new RetryPolicyDescription(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter, names);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetryPolicy p && describe().equals(p.describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }

    @Override
    public String toString() {
        return "RetryPolicy" + describe();
    }

    /** Builds a {@link RetryPolicy}; every field has a default and is validated by {@link #build()}. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private double multiplier = 2.0;
        private Duration maxBackoff = Duration.ofMinutes(1);
        private double jitter = 0.2;
        private final Set<Class<? extends Throwable>> nonRetryable = new LinkedHashSet<>();

        private Builder() {}

        /** Attempts per retry budget, at least 1 (default 3). */
        public Builder maxAttempts(int value) {
            this.maxAttempts = value;
            return this;
        }

        /** Wait before the second attempt (default 1 s). */
        public Builder initialBackoff(Duration value) {
            this.initialBackoff = value;
            return this;
        }

        /** Factor applied to the wait after each failed attempt, at least 1 (default 2). */
        public Builder multiplier(double value) {
            this.multiplier = value;
            return this;
        }

        /** Upper bound of the wait (default 1 min). */
        public Builder maxBackoff(Duration value) {
            this.maxBackoff = value;
            return this;
        }

        /** Fraction in [0, 1] by which a wait is randomly shortened (default 0.2). */
        public Builder jitter(double value) {
            this.jitter = value;
            return this;
        }

        /** Exception types (and their subtypes) that fail the step without retrying. */
        @SafeVarargs
        public final Builder nonRetryable(Class<? extends Throwable>... types) {
            for (Class<? extends Throwable> type : types) {
                nonRetryable.add(Objects.requireNonNull(type, "nonRetryable type"));
            }
            return this;
        }

        /** @throws GraphDefinitionException naming the first invalid field */
        public RetryPolicy build() {
            if (maxAttempts < 1) {
                throw new GraphDefinitionException(
                        null, "retry policy maxAttempts must be at least 1, was " + maxAttempts);
            }
            requirePositiveOrZero("initialBackoff", initialBackoff);
            requirePositiveOrZero("maxBackoff", maxBackoff);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new GraphDefinitionException(
                        null,
                        "retry policy maxBackoff (" + maxBackoff + ") must not be shorter than initialBackoff ("
                                + initialBackoff + ")");
            }
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new GraphDefinitionException(
                        null, "retry policy multiplier must be at least 1, was " + multiplier);
            }
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new GraphDefinitionException(null, "retry policy jitter must be between 0 and 1, was " + jitter);
            }
            return new RetryPolicy(this);
        }

        private static void requirePositiveOrZero(String field, Duration value) {
            if (value == null || value.isNegative()) {
                throw new GraphDefinitionException(
                        null, "retry policy " + field + " must be zero or positive, was " + value);
            }
        }
    }
}
