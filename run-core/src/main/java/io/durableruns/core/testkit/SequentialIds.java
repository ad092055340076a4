package io.durableruns.core.testkit;

import io.durableruns.ports.out.IdGenerator;
import java.util.concurrent.atomic.AtomicLong;

/** Predictable ids for tests: {@code run_0000000000000000000000001}, then 2, 3, ... (same shape as real ids). */
public final class SequentialIds implements IdGenerator {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private final AtomicLong next = new AtomicLong(1);

    @Override
    public String newId(String prefix) {
        long n = next.getAndIncrement();
        char[] out = new char[26];
        for (int i = 25; i >= 0; i--) {
            out[i] = ALPHABET[(int) (n & 31)];
            n >>>= 5;
        }
        return prefix + "_" + new String(out);
    }
}
