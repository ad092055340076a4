package io.durableruns.examples.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The repetitions of one configuration (database, workload, workers); every figure is the median over them. */
record Summary(String database, Workload workload, int workers, List<RepResult> reps) {

    double median(ToDoubleFunction<RepResult> figure) {
        return median(reps.stream().mapToDouble(figure).toArray());
    }

    /** The median of {@code values} (sorted in place); of an even count, the mean of the middle two. */
    static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    int runs() {
        return reps.get(0).runs();
    }

    boolean txCounted() {
        return reps.get(0).txCounted();
    }

    int foreignSessions() {
        return reps.stream().mapToInt(RepResult::foreignSessions).max().orElse(0);
    }

    int repeatedCalls() {
        return reps.stream().mapToInt(RepResult::repeatedCalls).sum();
    }
}
