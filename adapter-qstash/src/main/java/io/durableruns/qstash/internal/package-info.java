/**
 * Implementation details of the QStash adapter and its emulator: header parsers, the retry-delay expression
 * language, and the emulator's queue, delivery and HTTP handling. Everything here may change at any time;
 * use the types of {@link io.durableruns.qstash} instead.
 */
package io.durableruns.qstash.internal;
