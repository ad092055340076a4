package io.durableruns.qstash;

import io.durableruns.qstash.internal.QStashDurations;
import java.io.PrintStream;
import java.time.Duration;

/** The command line of {@code qstash-dev}. */
final class EmulatorCli {
    private EmulatorCli() {}

    /**
     * @return the configured builder, or null when help was asked for
     * @throws IllegalArgumentException for an unknown option or a bad value
     */
    static QStashEmulator.Builder parse(String[] args) {
        QStashEmulator.Builder b = QStashEmulator.newBuilder();
        String current = null;
        String next = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--duplicate-deliveries" -> b.duplicateDeliveries(value == null || Boolean.parseBoolean(value));
                case "--random-order" -> b.randomOrder(value == null || Boolean.parseBoolean(value));
                default -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("option " + name + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (name) {
                        case "-p", "--port" -> b.port(integer(name, value));
                        case "--host" -> b.host(value);
                        case "--token" -> b.token(value);
                        case "--current-signing-key" -> current = value;
                        case "--next-signing-key" -> next = value;
                        case "--time-scale" -> b.timeScale(decimal(name, value));
                        case "--dedup-window" -> b.dedupWindow(duration(name, value));
                        case "--default-retries" -> b.defaultRetries(integer(name, value));
                        case "--max-retries" -> b.maxRetries(integer(name, value));
                        case "--delivery-timeout" -> b.deliveryTimeout(duration(name, value));
                        case "--delivery-threads" -> b.deliveryThreads(integer(name, value));
                        case "--max-pending" -> b.maxPendingMessages(integer(name, value));
                        case "--fail-publish-fraction" -> b.failPublishFraction(decimal(name, value));
                        case "--delivery-delay" -> b.deliveryDelay(duration(name, value));
                        case "--seed" -> b.seed(longValue(name, value));
                        default -> throw new IllegalArgumentException("unknown option " + name);
                    }
                }
            }
        }
        if ((current == null) != (next == null)) {
            throw new IllegalArgumentException("give both --current-signing-key and --next-signing-key, or neither");
        }
        if (current != null) {
            b.signingKeys(current, next);
        }
        return b;
    }

    static void usage(PrintStream out) {
        out.println("""
                Usage: qstash-dev [options]
                A local QStash: the QStash REST API and QStash's delivery behaviour, for development and tests.

                  -p, --port N                 port to listen on (default 8080; 0 picks a free one)
                      --host ADDRESS           address to listen on (default 127.0.0.1)
                      --token TOKEN            bearer token (default: Upstash's development token)
                      --current-signing-key K  signing keys (default: Upstash's development keys)
                      --next-signing-key K
                      --time-scale X           multiply delays and backoffs by X, e.g. 0.001 (default 1)
                      --dedup-window DURATION  how long deduplication ids are remembered (default 10m)
                      --default-retries N      retries without Upstash-Retries (default 3)
                      --max-retries N          largest Upstash-Retries accepted (default 100)
                      --delivery-timeout D     HTTP timeout without Upstash-Timeout (default 2m)
                      --delivery-threads N     concurrent deliveries (default 8)
                      --max-pending N          messages held at once before answering 429 (default 10000)
                  fault injection:
                      --duplicate-deliveries   deliver every message twice
                      --random-order           deliver due messages in random order
                      --fail-publish-fraction X  answer this fraction of publishes with 500
                      --delivery-delay D       wait D before every delivery
                      --seed N                 seed of the fault-injection randomness
                  Durations: 500ms, 10s, 3m, 1h30m, 1d.""");
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, got '" + value + "'");
        }
    }

    private static long longValue(String name, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, got '" + value + "'");
        }
    }

    private static double decimal(String name, String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, got '" + value + "'");
        }
    }

    private static Duration duration(String name, String value) {
        return QStashDurations.parseSecondsOrDuration(value)
                .orElseThrow(() -> new IllegalArgumentException(
                        name + " needs a duration such as 500ms, 10s or 1h30m, got '" + value + "'"));
    }
}
