package io.durableruns.core;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The artifacts of the current step. Writes are staged and committed with the step's success, in the same
 * transaction: a failed or crashed attempt leaves none, and a replay never duplicates one (they are unique
 * per run, step and key).
 *
 * <pre>{@code
 * ctx.artifacts().putText("spec.md", "text/markdown", markdown);
 * }</pre>
 */
public interface Artifacts {

    /** Stages content under {@code key}, replacing what this attempt staged under the same key. */
    void put(String key, String contentType, byte[] content);

    default void putText(String key, String contentType, String text) {
        put(key, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Content staged by this attempt, or committed earlier for this step under {@code key}. */
    Optional<byte[]> get(String key);

    default Optional<String> getText(String key) {
        return get(key).map(b -> new String(b, StandardCharsets.UTF_8));
    }
}
