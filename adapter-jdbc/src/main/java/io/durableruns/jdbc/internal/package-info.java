/**
 * The implementation of the JDBI stores and of the local dispatcher. Everything in this package may change
 * at any time, in any release: use {@link io.durableruns.jdbc.JdbcRunStore} and
 * {@link io.durableruns.jdbc.LocalDispatcher} instead.
 */
package io.durableruns.jdbc.internal;
