/**
 * Durable persistence and local dispatch for the durable-runs engine.
 *
 * <ul>
 *   <li>{@link io.durableruns.jdbc.JdbcRunStore}: the {@code RunStore} on PostgreSQL (production) or SQLite (one
 *       file, zero setup), with its schema migrations and a readiness check.
 *   <li>{@link io.durableruns.jdbc.JdbcOptions}: schema or table prefix, migrations on or off, pool size.
 *   <li>{@link io.durableruns.jdbc.LocalDispatcher}: worker threads that claim due steps from the database and run
 *       them, woken by the engine's commits (and, on PostgreSQL, by other processes' commits).
 * </ul>
 *
 * <pre>{@code
 * JdbcRunStore store = JdbcRunStore.fromUrl("jdbc:sqlite:data/runs.db", JdbcOptions.defaults());
 * LocalDispatcher dispatcher = LocalDispatcher.builder().listenTo(store).build();
 * RunEngine engine = RunEngine.builder().store(store).registry(registry).dispatchSignal(dispatcher).build();
 * dispatcher.start(engine, engine);
 * }</pre>
 *
 * <p>Close the dispatcher before the store. Everything under {@code io.durableruns.jdbc.internal} may change at any
 * time.
 */
package io.durableruns.jdbc;
