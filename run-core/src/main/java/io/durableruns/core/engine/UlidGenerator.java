package io.durableruns.core.engine;

import io.durableruns.ports.out.IdGenerator;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * Time-ordered, unguessable ids: {@code prefix_} then a 48-bit millisecond timestamp and 80 random bits in
 * lowercase Crockford base 32 (26 characters), like a ULID.
 */
public final class UlidGenerator implements IdGenerator {
    static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

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
        char[] out = new char[26];
        long t = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (t & 31)];
            t >>>= 5;
        }
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (random80[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (random80[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }
}
