package io.durableruns.qstash;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Measures the cost of verifying one QStash signature on the calling thread: a genuine token for a typical
 * step message, checked by a {@link QStashVerifier} exactly as the step endpoint does. The target is under
 * 50 µs per verification.
 *
 * <pre>{@code
 * double nanos = QStashVerifierBenchmark.run(200_000);
 * System.out.printf("%.1f µs per verification, %.0f per second on one core%n", nanos / 1000, 1e9 / nanos);
 * }</pre>
 */
public final class QStashVerifierBenchmark {
    private static final String URL = "https://runs.example.com/api/jobs/run-step";
    private static final String KEY = QStashEmulator.DEV_CURRENT_SIGNING_KEY;
    private static final String NEXT_KEY = QStashEmulator.DEV_NEXT_SIGNING_KEY;

    private QStashVerifierBenchmark() {}

    /**
     * Warms up, then verifies {@code iterations} times.
     *
     * @return the mean time of one verification, in nanoseconds
     * @throws IllegalStateException if a verification fails (which would make the number meaningless)
     */
    public static double run(int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1, was " + iterations);
        }
        byte[] body = ("{\"runId\":\"run_01jxv3q9y7m2k8c4d6f0g1h2j3\",\"step\":\"summarize-sources\","
                        + "\"graph\":\"research\",\"version\":3}")
                .getBytes(StandardCharsets.UTF_8);
        String signature = new QStashSigner(KEY).sign(URL, body);
        QStashVerifier verifier = QStashVerifier.newBuilder()
                .currentSigningKey(KEY)
                .nextSigningKey(NEXT_KEY)
                .expectedUrl(URL)
                .leeway(Duration.ofSeconds(5))
                .build();
        loop(verifier, signature, body, Math.max(20_000, iterations / 2));
        long start = System.nanoTime();
        loop(verifier, signature, body, iterations);
        return (System.nanoTime() - start) / (double) iterations;
    }

    private static void loop(QStashVerifier verifier, String signature, byte[] body, int n) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            if (verifier.check(signature, body) == QStashVerifier.Reason.OK) {
                ok++;
            }
        }
        if (ok != n) {
            throw new IllegalStateException(
                    "a genuine signature was refused during the benchmark; this indicates a bug");
        }
    }

    /** Prints the mean cost of a verification: {@code java ... QStashVerifierBenchmark [iterations]}. */
    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        double best = Double.MAX_VALUE;
        for (int round = 1; round <= 3; round++) {
            double nanos = run(iterations);
            best = Math.min(best, nanos);
            System.out.printf(
                    Locale.ROOT,
                    "round %d: %.2f µs per verification (%.0f per second on one core)%n",
                    round,
                    nanos / 1000,
                    1e9 / nanos);
        }
        System.out.printf(Locale.ROOT, "best: %.2f µs per verification%n", best / 1000);
    }
}
