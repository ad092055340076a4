package io.durableruns.ports;

/** A command or query was malformed (a missing field, a malformed id). Nothing was changed. */
public final class InvalidRequestException extends RunsException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message);
    }
}
