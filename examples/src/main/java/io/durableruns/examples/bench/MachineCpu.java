package io.durableruns.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * CPU seconds the whole machine spent busy (all cores, every process), from the first line of {@code /proc/stat}
 * (clock ticks of 1/100 s). Minus this JVM's and PostgreSQL's share it shows how much other processes took from the
 * benchmark on a shared machine.
 */
final class MachineCpu {
    private static final double TICKS_PER_SECOND = 100.0;

    private MachineCpu() {}

    static OptionalDouble busySeconds() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = Long.parseLong(f[1])
                    + Long.parseLong(f[2])
                    + Long.parseLong(f[3])
                    + Long.parseLong(f[6])
                    + Long.parseLong(f[7])
                    + Long.parseLong(f[8]);
            return OptionalDouble.of(busy / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }
}
