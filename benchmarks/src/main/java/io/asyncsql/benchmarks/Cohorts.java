package io.asyncsql.benchmarks;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * How fairly a closed loop serves its operations, with the machine's ups and downs taken
 * out: each operation's latency over the median latency of its cohort, the operations
 * that started in the same {@value #WINDOW_MILLIS} ms.
 * <p>
 * A cohort joins the queue together, so a fair FIFO engine gives its members about the
 * same wait whatever the throughput is at the time: a garbage-collection pause or a busy
 * neighbour slows the whole cohort, not one member. A high ratio means some operations
 * waited far longer than others that arrived with them: unfair hand-out or starvation.
 * The plain p99 cannot tell the two apart once a queue is long, because one pause of a
 * few milliseconds lands on every operation in flight.
 */
final class Cohorts {

	static final int WINDOW_MILLIS = 10;

	private static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS);

	private static final int CHUNK = 1 << 14;

	/** Room for 4 million operations a cell; later ones are not recorded. */
	private static final int MAX_CHUNKS = 256;

	private final AtomicReferenceArray<long[]> chunks = new AtomicReferenceArray<>(MAX_CHUNKS);

	private final AtomicInteger next = new AtomicInteger();

	private volatile boolean open;

	private volatile long openedAt;

	private volatile boolean closed;

	private volatile long closedAt;

	/**
	 * Record operations that start from now on.
	 */
	void open() {
		this.openedAt = System.nanoTime();
		this.open = true;
	}

	/**
	 * Leave out operations that start from now on. Those that started before are still
	 * recorded when they complete, however late: the slowest of them are what this
	 * measures.
	 */
	void close() {
		this.closedAt = System.nanoTime();
		this.closed = true;
	}

	/**
	 * Record one successful operation, from any thread.
	 * @param start its {@link System#nanoTime()} at the start
	 * @param latency its latency in nanoseconds
	 */
	void record(long start, long latency) {
		// open first: once it reads true, openedAt is the time open() set.
		if (!this.open) {
			return;
		}
		long offset = start - this.openedAt;
		// closed first, as open above.
		if (offset < 0 || (this.closed && start - this.closedAt >= 0)) {
			return;
		}
		int index = this.next.getAndIncrement();
		int chunkIndex = index / CHUNK;
		if (chunkIndex >= MAX_CHUNKS) {
			return;
		}
		long[] chunk = this.chunks.get(chunkIndex);
		if (chunk == null) {
			this.chunks.compareAndSet(chunkIndex, null, new long[2 * CHUNK]);
			chunk = this.chunks.get(chunkIndex);
		}
		int slot = 2 * (index % CHUNK);
		chunk[slot] = offset;
		chunk[slot + 1] = Math.max(1, latency);
	}

	/**
	 * Return the 99th percentile of latency ÷ cohort median. Call once the clients have
	 * stopped, so that every operation started before {@link #close()} is in.
	 * @return the ratio, or NaN when nothing was recorded
	 */
	double p99RatioToCohortMedian() {
		int count = Math.min(this.next.get(), MAX_CHUNKS * CHUNK);
		long[] offsets = new long[count];
		long[] latencies = new long[count];
		int recorded = 0;
		for (int i = 0; i < count; i++) {
			long[] chunk = this.chunks.get(i / CHUNK);
			int slot = 2 * (i % CHUNK);
			// Zero: a slot claimed by an operation still writing when the drain timed
			// out.
			if (chunk != null && chunk[slot + 1] != 0) {
				offsets[recorded] = chunk[slot];
				latencies[recorded] = chunk[slot + 1];
				recorded++;
			}
		}
		if (recorded == 0) {
			return Double.NaN;
		}
		double[] medians = cohortMedians(offsets, latencies, recorded);
		double[] ratios = new double[recorded];
		for (int i = 0; i < recorded; i++) {
			ratios[i] = latencies[i] / medians[(int) (offsets[i] / WINDOW_NANOS)];
		}
		Arrays.sort(ratios);
		return ratios[(int) Math.ceil(recorded * 0.99) - 1];
	}

	private static double[] cohortMedians(long[] offsets, long[] latencies, int recorded) {
		int windows = 0;
		for (int i = 0; i < recorded; i++) {
			windows = Math.max(windows, (int) (offsets[i] / WINDOW_NANOS) + 1);
		}
		int[] sizes = new int[windows];
		for (int i = 0; i < recorded; i++) {
			sizes[(int) (offsets[i] / WINDOW_NANOS)]++;
		}
		long[][] members = new long[windows][];
		for (int w = 0; w < windows; w++) {
			members[w] = new long[sizes[w]];
		}
		int[] filled = new int[windows];
		for (int i = 0; i < recorded; i++) {
			int w = (int) (offsets[i] / WINDOW_NANOS);
			members[w][filled[w]++] = latencies[i];
		}
		double[] medians = new double[windows];
		for (int w = 0; w < windows; w++) {
			long[] cohort = members[w];
			if (cohort.length > 0) {
				Arrays.sort(cohort);
				medians[w] = cohort[cohort.length / 2];
			}
		}
		return medians;
	}

}
