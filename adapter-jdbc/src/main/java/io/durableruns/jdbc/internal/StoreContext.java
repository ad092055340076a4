package io.durableruns.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.durableruns.ports.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.argument.Argument;

/**
 * What every repository of one store shares: the dialect, the table names, the SQL text rendered for them,
 * and the codecs of instants and JSON.
 *
 * <p>Instants are stored to the microsecond: as {@code timestamptz} bound as a UTC {@link OffsetDateTime} on
 * PostgreSQL, and as integer microseconds since the epoch on SQLite. Neither depends on the session or JVM
 * time zone.
 */
public final class StoreContext {
    private static final long MICROS_PER_SECOND = 1_000_000L;
    /** 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the instants {@link #timestamp} writes by hand. */
    private static final long MIN_FAST_SECONDS = -62_135_596_800L;

    private static final long MAX_FAST_SECONDS = 253_402_300_800L;
    private static final TypeReference<List<String>> NAMES = new TypeReference<>() {};

    private final Dialect dialect;
    private final TableNames names;
    private final ObjectMapper mapper;
    private final String instanceId = UUID.randomUUID().toString();
    private final Map<String, String> rendered = new ConcurrentHashMap<>();

    public StoreContext(Dialect dialect, TableNames names, ObjectMapper mapper) {
        this.dialect = dialect;
        this.names = names;
        this.mapper = mapper;
    }

    public Dialect dialect() {
        return dialect;
    }

    public TableNames names() {
        return names;
    }

    /**
     * Identifies this store instance in the payload of its PostgreSQL notifications, so that a listener in the
     * same process can ignore the intents it was already told about.
     */
    public String instanceId() {
        return instanceId;
    }

    /**
     * Renders a SQL template: {@code ${t}} becomes the table qualifier and {@code ${json}} the JSON column type.
     * Results are cached, so repositories can call this on every statement.
     */
    public String sql(String template) {
        return rendered.computeIfAbsent(
                template, t -> t.replace("${t}", names.qualifier()).replace("${json}", dialect.jsonType()));
    }

    /**
     * An instant argument. On PostgreSQL both a value and a null are sent untyped (the server takes the column's
     * type): were a value typed {@code timestamptz} and a null untyped, a statement whose timestamp columns are
     * null one time and set the next would be planned again on every execution.
     */
    public Argument instant(Instant instant) {
        if (dialect == Dialect.POSTGRESQL) {
            if (instant == null) {
                return (position, statement, ctx) -> statement.setNull(position, Types.OTHER);
            }
            String value = timestamp(instant);
            return (position, statement, ctx) -> statement.setObject(position, value, Types.OTHER);
        }
        if (instant == null) {
            return (position, statement, ctx) -> statement.setNull(position, Types.BIGINT);
        }
        long micros = toEpochMicros(instant);
        return (position, statement, ctx) -> statement.setLong(position, micros);
    }

    /**
     * An instant as PostgreSQL reads a {@code timestamptz}, in UTC to the microsecond: {@code
     * 2026-12-01T22:00:00.123456Z}. Written by hand for years 1 to 9999 (every bound step writes several, and a
     * formatter costs more than the rest of the binding); others go through {@link DateTimeFormatter}.
     */
    static String timestamp(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < MIN_FAST_SECONDS || seconds >= MAX_FAST_SECONDS) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                    OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        char[] out = new char[27];
        digits(out, 0, t.getYear(), 4);
        out[4] = '-';
        digits(out, 5, t.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, t.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, t.getHour(), 2);
        out[13] = ':';
        digits(out, 14, t.getMinute(), 2);
        out[16] = ':';
        digits(out, 17, t.getSecond(), 2);
        out[19] = '.';
        digits(out, 20, instant.getNano() / 1000, 6);
        out[26] = 'Z';
        return new String(out);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    public Instant instant(ResultSet rs, String column) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        }
        long micros = rs.getLong(column);
        return rs.wasNull() ? null : fromEpochMicros(micros);
    }

    static long toEpochMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), MICROS_PER_SECOND), instant.getNano() / 1000);
    }

    static Instant fromEpochMicros(long micros) {
        return Instant.ofEpochSecond(
                Math.floorDiv(micros, MICROS_PER_SECOND), Math.floorMod(micros, MICROS_PER_SECOND) * 1000L);
    }

    /** JSON text for a {@code CAST(:x AS ${json})} parameter, or {@code null}. */
    public String json(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isObject() && node.isEmpty()) {
            return "{}";
        }
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new StoreException("could not write JSON for the store: " + e.getOriginalMessage(), e);
        }
    }

    public JsonNode json(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        if (text == null) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new StoreException("column " + column + " holds malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A list of step names as a JSON array. */
    public String names(List<String> names) {
        try {
            return mapper.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new StoreException("could not write step names as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A JSON array of step names read from {@code column}. */
    public List<String> names(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        if (text == null || text.equals("[]")) {
            return List.of();
        }
        try {
            return mapper.readValue(text, NAMES);
        } catch (JsonProcessingException e) {
            throw new StoreException("column " + column + " holds malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    public ObjectMapper mapper() {
        return mapper;
    }
}
