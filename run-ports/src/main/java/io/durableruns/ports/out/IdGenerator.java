package io.durableruns.ports.out;

/** Produces unique, time-ordered ids such as {@code run_01jx...}. */
@FunctionalInterface
public interface IdGenerator {
    /**
     * @param prefix a short lowercase prefix such as {@code run} or {@code int}
     * @return {@code prefix + "_" + } 26 lowercase Crockford base-32 characters
     */
    String newId(String prefix);
}
