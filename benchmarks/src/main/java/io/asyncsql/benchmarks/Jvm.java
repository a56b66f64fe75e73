package io.asyncsql.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Gauges of this JVM over a stretch of time: live and peak threads, CPU, collection and
 * compilation time. Thread counts are of platform threads only: virtual threads are
 * invisible to {@link ThreadMXBean}, their carrier threads are not.
 */
final class Jvm {

	private static final ThreadMXBean BEAN = ManagementFactory.getThreadMXBean();

	private static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean) ManagementFactory
		.getOperatingSystemMXBean();

	private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

	private static final com.sun.management.ThreadMXBean ALLOCATION = (BEAN instanceof com.sun.management.ThreadMXBean allocation)
			? allocation : null;

	private Jvm() {
	}

	/**
	 * Return the CPU time all threads of this JVM have used, JIT and GC included.
	 */
	static long processCpuNanos() {
		return OS.getProcessCpuTime();
	}

	/**
	 * Return the time the garbage collectors of this JVM have spent in pauses: every
	 * collector but the concurrent ones, whose time (G1's "G1 Concurrent GC", ZGC's
	 * "Cycles") runs beside the application.
	 */
	static long gcPauseMillis() {
		return ManagementFactory.getGarbageCollectorMXBeans()
			.stream()
			.filter((collector) -> !collector.getName().contains("Concurrent")
					&& !collector.getName().endsWith("Cycles"))
			.mapToLong(GarbageCollectorMXBean::getCollectionTime)
			.filter((time) -> time > 0)
			.sum();
	}

	/**
	 * Return the bytes all live platform threads of this JVM have allocated so far
	 * (virtual threads' allocations count to their carriers), or {@code -1} when the JVM
	 * does not tell.
	 */
	static long allocatedBytes() {
		if (ALLOCATION == null || !ALLOCATION.isThreadAllocatedMemoryEnabled()) {
			return -1;
		}
		// Summed per thread: getTotalThreadAllocatedBytes() is Java 21 API (backported to
		// some 17 updates only), so a newer JDK compiling for release 17 does not have
		// it.
		long total = 0;
		for (long bytes : ALLOCATION.getThreadAllocatedBytes(ALLOCATION.getAllThreadIds())) {
			total += Math.max(bytes, 0);
		}
		return total;
	}

	/**
	 * Return the time the JIT compilers of this JVM have spent compiling, or {@code -1}
	 * when the JVM does not tell.
	 */
	static long jitMillis() {
		return (JIT != null && JIT.isCompilationTimeMonitoringSupported()) ? JIT.getTotalCompilationTime() : -1;
	}

	static long totalMemoryBytes() {
		return OS.getTotalMemorySize();
	}

	static int live() {
		return BEAN.getThreadCount();
	}

	static void resetPeak() {
		BEAN.resetPeakThreadCount();
	}

	static int peak() {
		return BEAN.getPeakThreadCount();
	}

	/**
	 * Sleep for a measured interval: the driver's clock, not a wait for an event.
	 */
	static void pause(long nanos) {
		try {
			Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while measuring", ex);
		}
	}

}
