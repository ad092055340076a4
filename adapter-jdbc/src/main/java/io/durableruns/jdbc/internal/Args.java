package io.durableruns.jdbc.internal;

import java.sql.Types;
import org.jdbi.v3.core.argument.Argument;

/**
 * Statement arguments of known SQL types. Binding an {@link Argument} skips JDBI's per-execution lookup of an
 * argument factory for the value's Java type, which is a noticeable share of the CPU a step costs.
 */
final class Args {
    private Args() {}

    static Argument text(String value) {
        if (value == null) {
            return (position, statement, ctx) -> statement.setNull(position, Types.VARCHAR);
        }
        return (position, statement, ctx) -> statement.setString(position, value);
    }

    static Argument integer(int value) {
        return (position, statement, ctx) -> statement.setInt(position, value);
    }

    static Argument integer(Integer value) {
        if (value == null) {
            return (position, statement, ctx) -> statement.setNull(position, Types.INTEGER);
        }
        return integer(value.intValue());
    }

    static Argument bigint(long value) {
        return (position, statement, ctx) -> statement.setLong(position, value);
    }

    static Argument bytes(byte[] value) {
        return (position, statement, ctx) -> statement.setBytes(position, value);
    }
}
