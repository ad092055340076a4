/**
 * Benchmarks: {@link io.durableruns.examples.bench.DispatcherBenchmark} measures the local dispatcher on PostgreSQL
 * and SQLite against the raw single-row insert rate of the same database, and the cost of verifying a QStash
 * signature. Method and figures: {@code docs/BENCHMARKS.md}.
 */
package io.durableruns.examples.bench;
