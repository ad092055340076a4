package io.durableruns.qstash;

import io.durableruns.ports.RunsException;

/**
 * The QStash settings are missing or invalid. Thrown at start-up, before anything is published or
 * verified; the message names the variable and says how to fix it. Callers do not catch it: fix the
 * configuration and start again.
 */
public final class QStashConfigurationException extends RunsException {
    private static final long serialVersionUID = 1L;

    private final String variable;

    public QStashConfigurationException(String variable, String message) {
        super(message);
        this.variable = variable;
    }

    /** The environment variable (or builder field) that is missing or invalid. */
    public String variable() {
        return variable;
    }
}
