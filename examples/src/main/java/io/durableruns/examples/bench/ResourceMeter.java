package io.durableruns.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of this JVM (every thread: workers, GC, JIT), the peak use of its heap pools, and the bytes its threads
 * allocate.
 */
final class ResourceMeter {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
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

    /** The bytes each live thread has allocated so far, by thread id. */
    static Map<Long, Long> allocatedByThread() {
        long[] ids = THREADS.getAllThreadIds();
        long[] bytes = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, Long> out = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                out.put(ids[i], bytes[i]);
            }
        }
        return out;
    }

    /**
     * The bytes the live threads allocated since {@code before} was taken ({@link #allocatedByThread()}); a thread
     * that ended meanwhile is not counted.
     */
    static long allocatedSince(Map<Long, Long> before) {
        long sum = 0;
        for (Map.Entry<Long, Long> now : allocatedByThread().entrySet()) {
            sum += now.getValue() - before.getOrDefault(now.getKey(), 0L);
        }
        return sum;
    }

    /** The bytes the calling thread has allocated so far. */
    static long allocatedByCurrentThread() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
