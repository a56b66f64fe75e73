package io.asyncsql.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * A closed-loop load: a fixed number of clients, each starting its next operation when
 * the previous one completes, so exactly that many operations are in flight.
 * <p>
 * Clients of a non-blocking operation need no thread: each continues from the completion
 * callback, on whatever thread completed the future, as an application chaining stages
 * would ({@link SubmitFrom#COMPLETING}), or hands its next operation to one other thread
 * ({@link SubmitFrom#EXECUTOR}), which tells what submitting from the engine's own
 * threads costs. Clients of a blocking operation get a platform thread each. Latency is
 * recorded in an HdrHistogram {@link Recorder}, whose interval snapshots cut the warm-up
 * off without stopping the clients, and by start time in {@link Cohorts}, which tell
 * unfair hand-out from pauses that stall everyone.
 */
final class ClosedLoop {

	/** How long the clients may take to finish their last operation after the cell. */
	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

	private final Supplier<CompletableFuture<?>> operation;

	private final Recorder latencies = new Recorder(3);

	private final Cohorts cohorts = new Cohorts();

	private final Outcomes outcomes = new Outcomes();

	private final CountDownLatch finished;

	private final int clients;

	private final boolean blocking;

	private final @Nullable ExecutorService handOff;

	private volatile boolean stopping;

	/**
	 * Describe a load.
	 * @param operation starts one operation
	 * @param clients operations in flight
	 * @param blocking whether the operation blocks, so each client needs a thread
	 */
	ClosedLoop(Supplier<CompletableFuture<?>> operation, int clients, boolean blocking, SubmitFrom submitFrom) {
		this.operation = operation;
		this.clients = clients;
		this.blocking = blocking;
		this.handOff = (submitFrom == SubmitFrom.EXECUTOR && !blocking) ? Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "bench-hand-off");
			thread.setDaemon(true);
			return thread;
		}) : null;
		this.finished = new CountDownLatch(clients);
	}

	/**
	 * Create the load a contender gets for a number of operations in flight.
	 */
	static ClosedLoop of(Contender contender, Workload workload, int inFlight, SubmitFrom submitFrom) {
		int threads = contender.blockingThreads(inFlight);
		return new ClosedLoop(() -> workload.start(contender), (threads > 0) ? threads : inFlight, threads > 0,
				submitFrom);
	}

	/**
	 * Where a client of a non-blocking operation submits its next operation.
	 */
	enum SubmitFrom {

		/**
		 * From the completion callback, on the thread that completed the previous one.
		 */
		COMPLETING,

		/** From one other thread that all clients hand their next operation to. */
		EXECUTOR

	}

	/**
	 * Run the load: start the clients, warm up, measure, then stop and wait for the
	 * clients' last operations.
	 */
	Measurement run(Duration warmup, Duration measure) {
		int idleThreads = Jvm.live();
		for (int i = 0; i < this.clients; i++) {
			if (this.blocking) {
				Thread thread = new Thread(this::client, "bench-client-" + i);
				thread.setDaemon(true);
				thread.start();
			}
			else {
				client();
			}
		}
		Jvm.pause(warmup.toNanos());
		Jvm.resetPeak();
		this.latencies.getIntervalHistogram();
		this.cohorts.open();
		long unsuccessfulBefore = this.outcomes.unsuccessful();
		long cpuBefore = Jvm.processCpuNanos();
		long gcBefore = Jvm.gcPauseMillis();
		long allocatedBefore = Jvm.allocatedBytes();
		long jitBefore = Jvm.jitMillis();
		long start = System.nanoTime();
		Jvm.pause(measure.toNanos());
		Histogram histogram = this.latencies.getIntervalHistogram();
		this.cohorts.close();
		double seconds = (System.nanoTime() - start) / 1e9;
		double cpuMicrosPerOp = (Jvm.processCpuNanos() - cpuBefore) / 1e3 / histogram.getTotalCount();
		long gcMillis = Jvm.gcPauseMillis() - gcBefore;
		double allocatedPerOp = (allocatedBefore >= 0)
				? (double) (Jvm.allocatedBytes() - allocatedBefore) / histogram.getTotalCount() : -1;
		long jitMillis = (jitBefore >= 0) ? Jvm.jitMillis() - jitBefore : -1;
		long failures = this.outcomes.unsuccessful() - unsuccessfulBefore;
		int peakThreads = Jvm.peak();
		this.stopping = true;
		boolean drained = awaitClients();
		if (this.handOff != null) {
			this.handOff.shutdown();
		}
		return new Measurement(histogram.getTotalCount() / seconds, millis(histogram.getValueAtPercentile(50)),
				millis(histogram.getValueAtPercentile(99)), this.cohorts.p99RatioToCohortMedian(), cpuMicrosPerOp,
				gcMillis, allocatedPerOp, jitMillis, idleThreads, peakThreads, failures, this.outcomes.firstFailure(),
				drained);
	}

	/**
	 * One client's loop. A future that is already done is recorded here and the loop goes
	 * on, so completed futures never nest callbacks; a pending one continues the loop
	 * from its callback.
	 */
	private void client() {
		while (!this.stopping) {
			long start = System.nanoTime();
			CompletableFuture<?> future = Futures.start(this.operation);
			if (!future.isDone()) {
				future.whenComplete((value, failure) -> {
					record(start, Futures.failureOf(future));
					if (this.handOff != null) {
						this.handOff.execute(this::client);
					}
					else {
						client();
					}
				});
				return;
			}
			record(start, Futures.failureOf(future));
		}
		this.finished.countDown();
	}

	private void record(long start, Throwable failure) {
		if (failure == null) {
			long latency = System.nanoTime() - start;
			this.latencies.recordValue(latency);
			this.cohorts.record(start, latency);
		}
		this.outcomes.record(failure);
	}

	private boolean awaitClients() {
		try {
			return this.finished.await(DRAIN_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static double millis(long nanos) {
		return nanos / 1e6;
	}

}
