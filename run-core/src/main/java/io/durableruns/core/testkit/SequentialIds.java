package io.durableruns.core.testkit;

import io.durableruns.core.internal.Crockford;
import io.durableruns.ports.out.IdGenerator;
import java.util.concurrent.atomic.AtomicLong;

/** Predictable ids for tests: {@code run_0000000000000000000000001}, then 2, 3, ... (same shape as real ids). */
public final class SequentialIds implements IdGenerator {
    private final AtomicLong next = new AtomicLong(1);

    @Override
    public String newId(String prefix) {
        char[] out = new char[26];
        Crockford.write(next.getAndIncrement(), out, 0, 26);
        return prefix + "_" + new String(out);
    }
}
