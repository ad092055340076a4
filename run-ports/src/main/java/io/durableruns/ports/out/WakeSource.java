package io.durableruns.ports.out;

/**
 * Tells a dispatcher that other processes committed dispatch intents (PostgreSQL {@code LISTEN/NOTIFY}), so that it
 * wakes at once instead of at its next poll. Intents committed in this process arrive through {@link
 * DispatchSignal} instead.
 */
@FunctionalInterface
public interface WakeSource {
    /** Calls {@code onIntents} whenever another process committed intents, until the returned handle is closed. */
    AutoCloseable subscribe(Runnable onIntents);
}
