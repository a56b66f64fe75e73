package io.asyncsql.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The JVM's peak live thread count over a stretch of time. Counts platform threads only:
 * virtual threads are invisible to {@link ThreadMXBean}, their carrier threads are not.
 */
final class Threads {

	private static final ThreadMXBean BEAN = ManagementFactory.getThreadMXBean();

	private Threads() {
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
