/**
 * The ports of the durable-runs engine.
 *
 * <ul>
 *   <li>{@link io.durableruns.ports.in} holds the use cases that drive the engine (create a run, deliver a
 *       step, retry, cancel, query). Adapters such as the HTTP API and the dispatchers call them.
 *   <li>{@link io.durableruns.ports.out} holds the interfaces the engine drives: the run store, id
 *       generation, the dispatch signal and the observer used for metrics.
 *   <li>{@link io.durableruns.ports.model} holds the plain records that cross both.
 * </ul>
 *
 * <p>This module depends on the JDK and on Jackson's tree model ({@code JsonNode}) only.
 */
package io.durableruns.ports;
