package io.durableruns.core.engine;

import io.durableruns.core.internal.Crockford;
import io.durableruns.ports.out.IdGenerator;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * Time-ordered, unguessable ids: {@code prefix_} then a 48-bit millisecond timestamp and 80 random bits in
 * lowercase Crockford base 32 (26 characters), like a ULID.
 */
public final class UlidGenerator implements IdGenerator {
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public UlidGenerator(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String newId(String prefix) {
        byte[] r = new byte[10];
        random.nextBytes(r);
        return prefix + "_" + encode(clock.millis(), r);
    }

    static String encode(long millis, byte[] random80) {
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (random80[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (random80[i] & 0xff);
        }
        char[] out = new char[26];
        Crockford.write(millis, out, 0, 10);
        Crockford.write(hi, out, 10, 18);
        Crockford.write(lo, out, 18, 26);
        return new String(out);
    }
}
