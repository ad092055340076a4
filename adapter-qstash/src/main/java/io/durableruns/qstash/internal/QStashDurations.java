package io.durableruns.qstash.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The duration and time formats QStash uses in headers ({@code 10s}, {@code 1h30m}, {@code 6m5s}). */
public final class QStashDurations {
    /** QStash never waits longer than a day between deliveries. */
    public static final Duration ONE_DAY = Duration.ofDays(1);

    /**
     * The longest first-delivery delay QStash accepts ({@code Upstash-Delay}, or {@code Upstash-Not-Before}
     * ahead of now): one year on the pay-as-you-go plan, seven days on the free plan.
     */
    public static final Duration MAX_DELAY = Duration.ofDays(365);

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,12}");

    private QStashDurations() {}

    /**
     * Parses a duration such as {@code 10s}, {@code 3m}, {@code 1h30m}, {@code 1d} or {@code 6m5s} (units
     * {@code ms s m h d}, combinable).
     *
     * @return empty when the text is not such a duration
     */
    public static Optional<Duration> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        if (t.isEmpty() || !WHOLE.matcher(t).matches()) {
            return Optional.empty();
        }
        Matcher m = PART.matcher(t);
        double millis = 0;
        while (m.find()) {
            double n = Double.parseDouble(m.group(1));
            millis += n
                    * switch (m.group(2)) {
                        case "ms" -> 1;
                        case "s" -> 1_000;
                        case "m" -> 60_000;
                        case "h" -> 3_600_000;
                        default -> 86_400_000;
                    };
        }
        if (millis > Long.MAX_VALUE / 2.0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.round(millis)));
    }

    /** Like {@link #parse} but also accepts a bare number of seconds ({@code Upstash-Timeout: 30}). */
    public static Optional<Duration> parseSecondsOrDuration(String text) {
        if (text != null && DIGITS.matcher(text.strip()).matches()) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(text.strip())));
        }
        return parse(text);
    }

    /**
     * The wait a {@code Retry-After} header asks for: whole seconds, an RFC 1123 date, or a duration such as
     * {@code 6m5s}; capped at one day, never negative.
     *
     * @return empty when the header is absent or unreadable
     */
    public static Optional<Duration> retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String h = header.strip();
        Optional<Duration> wait;
        if (DIGITS.matcher(h).matches()) {
            wait = Optional.of(Duration.ofSeconds(Long.parseLong(h)));
        } else {
            wait = parse(h);
            if (wait.isEmpty()) {
                wait = httpDate(h).map(at -> Duration.between(now, at));
            }
        }
        return wait.map(QStashDurations::clampToDay);
    }

    /** The duration, at least zero and at most one day. */
    public static Duration clampToDay(Duration d) {
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(ONE_DAY) > 0 ? ONE_DAY : d;
    }

    private static Optional<Instant> httpDate(String h) {
        try {
            return Optional.of(
                    ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
