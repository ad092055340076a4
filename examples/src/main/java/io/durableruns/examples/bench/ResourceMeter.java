package io.durableruns.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/** CPU time of this JVM (every thread: workers, GC, JIT) and the peak use of its heap pools. */
final class ResourceMeter {
    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);
    private static final List<MemoryPoolMXBean> HEAP = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .toList();

    private ResourceMeter() {}

    /** Time the JIT compilers spent compiling so far (their threads run beside the benchmark's). */
    static double jitSeconds() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() / 1e3 : 0;
    }

    static double jvmCpuSeconds() {
        return OS.getProcessCpuTime() / 1e9;
    }

    /** Collects garbage, then starts a new peak. */
    static void resetPeakHeap() {
        System.gc();
        HEAP.forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /**
     * The sum of the peak use of each heap pool (eden, survivor, old) since {@link #resetPeakHeap()}: an upper
     * bound of the peak heap, since the pools need not peak at the same moment.
     */
    static long peakHeapBytes() {
        return HEAP.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    }
}
