package io.durableruns.examples.bench;

import io.durableruns.qstash.QStashSigner;
import io.durableruns.qstash.QStashVerifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cost of verifying one QStash delivery on one thread: a realistic step delivery is signed once, then verified
 * many times after a warm-up, in batches whose median is reported. Two cases: signed with the current key (one
 * HMAC), and with the next key, as during a key rotation (the current key fails first: two HMACs).
 */
final class VerifierBenchmark {
    private static final String URL = "https://runs.example.com/api/jobs/run-step";
    /** Upstash's public development keys (the local dev server's), not secrets. */
    private static final String CURRENT_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";

    private static final String NEXT_KEY = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs";
    private static final byte[] BODY =
            "{\"runId\":\"run_01jxk9q3v6d8e2m4n5p7r9s0tw\",\"step\":\"synthesize\"}".getBytes(StandardCharsets.UTF_8);
    private static final int BATCHES = 5;

    /** The median cost of one verification over the batches. */
    record Result(String signedWith, int iterations, double microsPerVerification) {
        double perSecond() {
            return 1e6 / microsPerVerification;
        }
    }

    private VerifierBenchmark() {}

    static List<Result> run(int iterations) {
        QStashVerifier verifier = QStashVerifier.newBuilder()
                .currentSigningKey(CURRENT_KEY)
                .nextSigningKey(NEXT_KEY)
                .expectedUrl(URL)
                .build();
        List<Result> results = new ArrayList<>();
        results.add(measure("current key", verifier, new QStashSigner(CURRENT_KEY).sign(URL, BODY), iterations));
        results.add(measure("next key (rotation)", verifier, new QStashSigner(NEXT_KEY).sign(URL, BODY), iterations));
        return results;
    }

    private static Result measure(String label, QStashVerifier verifier, String signature, int iterations) {
        verifyMany(verifier, signature, iterations);
        double[] micros = new double[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            long start = System.nanoTime();
            verifyMany(verifier, signature, iterations);
            micros[b] = (System.nanoTime() - start) / 1e3 / iterations;
        }
        Arrays.sort(micros);
        return new Result(label, iterations, micros[BATCHES / 2]);
    }

    private static void verifyMany(QStashVerifier verifier, String signature, int iterations) {
        for (int i = 0; i < iterations; i++) {
            QStashVerifier.Reason reason = verifier.check(signature, BODY);
            if (reason != QStashVerifier.Reason.OK) {
                throw new IllegalStateException("a genuine signature was refused (" + reason.label()
                        + "); the benchmark cannot measure a failing verifier");
            }
        }
    }
}
