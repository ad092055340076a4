package io.durableruns.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * CPU seconds used by the PostgreSQL server on this machine, from {@code /proc}: user plus system time of every
 * process named {@code postgres} (backends, checkpointer, WAL writer...), plus the time of the postmaster's
 * children that already exited ({@code cutime + cstime} of the postmaster, which reaps them). Clock ticks are 100 per
 * second. Empty when no such process is visible (a remote server).
 */
final class PostgresCpu {
    private static final double TICKS_PER_SECOND = 100.0;
    private static final Path PROC = Path.of("/proc");

    private PostgresCpu() {}

    static OptionalDouble seconds() {
        long ticks = 0;
        boolean found = false;
        try (Stream<Path> entries = Files.list(PROC)) {
            for (Path dir : (Iterable<Path>) entries::iterator) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long[] stat = read(dir);
                if (stat.length == 0) {
                    continue;
                }
                found = true;
                ticks += stat[1] + stat[2];
                if (!isPostgres(PROC.resolve(Long.toString(stat[0])))) {
                    ticks += stat[3] + stat[4];
                }
            }
        } catch (IOException e) {
            return OptionalDouble.empty();
        }
        return found ? OptionalDouble.of(ticks / TICKS_PER_SECOND) : OptionalDouble.empty();
    }

    /** {ppid, utime, stime, cutime, cstime} of a postgres process, or an empty array for any other process. */
    private static long[] read(Path dir) {
        if (!isPostgres(dir)) {
            return new long[0];
        }
        try {
            String stat = Files.readString(dir.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Fields after the command name, from field 3 (state): ppid is field 4, utime..cstime fields 14..17.
            return new long[] {
                Long.parseLong(f[1]),
                Long.parseLong(f[11]),
                Long.parseLong(f[12]),
                Long.parseLong(f[13]),
                Long.parseLong(f[14])
            };
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }

    private static boolean isPostgres(Path dir) {
        try {
            return Files.readString(dir.resolve("comm")).strip().equals("postgres");
        } catch (IOException e) {
            return false;
        }
    }
}
