package io.durableruns.ports.model;

import java.util.Objects;

/**
 * Why a step attempt failed: the exception type, its message and its stack trace (for the dashboard and
 * the API; never a secret).
 */
public record StepError(String type, String message, String stackTrace) {
    public StepError {
        Objects.requireNonNull(type, "type");
        message = message == null ? "" : message;
        stackTrace = stackTrace == null ? "" : stackTrace;
    }
}
