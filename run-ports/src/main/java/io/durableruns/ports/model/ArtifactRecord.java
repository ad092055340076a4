package io.durableruns.ports.model;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named piece of content a step produced, unique per (run, step, key): a replayed step never adds a
 * second one.
 */
public record ArtifactRecord(
        String runId, String step, String key, String contentType, byte[] content, int attempt, Instant createdAt) {

    public ArtifactRecord {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(contentType, "contentType");
        content = content.clone();
        Objects.requireNonNull(createdAt, "createdAt");
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    public ArtifactSummary summary() {
        return new ArtifactSummary(runId, step, key, contentType, content.length, createdAt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArtifactRecord a
                && runId.equals(a.runId)
                && step.equals(a.step)
                && key.equals(a.key)
                && contentType.equals(a.contentType)
                && Arrays.equals(content, a.content)
                && attempt == a.attempt
                && createdAt.equals(a.createdAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runId, step, key, attempt);
    }

    @Override
    public String toString() {
        return "ArtifactRecord[" + runId + "/" + step + "/" + key + ", " + contentType + ", " + content.length
                + " bytes]";
    }
}
