package io.durableruns.jdbc.internal;

import java.sql.Types;
import java.util.function.IntFunction;
import java.util.stream.Stream;
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

    /**
     * An SQL array of {@code elementType} ({@code text}, {@code int4}, {@code int8}, {@code bytea}) from values of
     * the matching Java type ({@code String}, {@code Integer}, {@code Long}, {@code byte[]}), nulls allowed. The
     * driver picks its encoding from the Java array's type, so {@code newArray} makes an array of that type.
     */
    static <T> Argument array(String elementType, Stream<T> values, IntFunction<T[]> newArray) {
        T[] elements = values.toArray(newArray);
        return (position, statement, ctx) ->
                statement.setArray(position, statement.getConnection().createArrayOf(elementType, elements));
    }
}
