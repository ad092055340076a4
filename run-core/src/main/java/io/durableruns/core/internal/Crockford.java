package io.durableruns.core.internal;

/** Lowercase Crockford base 32, the alphabet of run and intent ids. */
public final class Crockford {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private Crockford() {}

    /**
     * Writes the low {@code 5 * (end - start)} bits of {@code value} into {@code out[start, end)}, most
     * significant digit first.
     */
    public static void write(long value, char[] out, int start, int end) {
        long rest = value;
        for (int i = end - 1; i >= start; i--) {
            out[i] = ALPHABET[(int) (rest & 31)];
            rest >>>= 5;
        }
    }
}
