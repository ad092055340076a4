package io.durableruns.ports.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/** A graph version as recorded in the store, so that a changed structure under the same version is caught. */
public record GraphVersionRecord(
        String name, int version, String fingerprint, JsonNode description, Instant createdAt) {
    public GraphVersionRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
