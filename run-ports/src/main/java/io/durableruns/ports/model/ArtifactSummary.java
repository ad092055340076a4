package io.durableruns.ports.model;

import java.time.Instant;

/** An artifact without its content, for listings. */
public record ArtifactSummary(
        String runId, String step, String key, String contentType, long size, Instant createdAt) {}
