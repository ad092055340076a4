package io.durableruns.http;

import io.durableruns.ports.RunsException;

/** The HTTP server could not start (for example because its port is taken). Nothing is listening. */
public final class HttpServerException extends RunsException {
    private static final long serialVersionUID = 1L;

    HttpServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
