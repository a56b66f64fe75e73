package io.asyncsql.benchmarks;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A burst of point selects submitted all at once, timed until the last one completes. For
 * a blocking contender "at once" means its threads draining a shared counter of the same
 * size, the best a blocking caller can do with a backlog.
 */
final class Burst {

	/** The longest a burst may take before its unfinished operations are reported. */
	private static final Duration TIMEOUT = Duration.ofMinutes(3);

	private Burst() {
	}

	/**
	 * What one burst produced.
	 *
	 * @param seconds time from the first submission until the last completion
	 * @param succeeded operations that succeeded
	 * @param failed operations that failed
	 * @param rejected operations refused up front
	 * @param unfinished operations still running when the burst timed out
	 * @param idleThreads live platform threads before the burst
	 * @param peakThreads most live platform threads during the burst
	 * @param firstFailure the first failure's message, or {@code null}
	 */
	record Result(double seconds, long succeeded, long failed, long rejected, long unfinished, int idleThreads,
			int peakThreads, String firstFailure) {

		double opsPerSecond() {
			return this.succeeded / this.seconds;
		}

	}

	static Result run(Contender contender, int size) {
		Outcomes outcomes = new Outcomes();
		int idleThreads = Jvm.live();
		Jvm.resetPeak();
		long start = System.nanoTime();
		int threads = contender.blockingThreads(size);
		boolean completed = (threads > 0) ? drainOnThreads(contender, size, threads, outcomes)
				: submitAll(contender, size, outcomes);
		double seconds = (System.nanoTime() - start) / 1e9;
		long done = outcomes.succeeded() + outcomes.failed() + outcomes.rejected();
		return new Result(seconds, outcomes.succeeded(), outcomes.failed(), outcomes.rejected(),
				completed ? 0 : size - done, idleThreads, Jvm.peak(), outcomes.firstFailure());
	}

	private static boolean submitAll(Contender contender, int size, Outcomes outcomes) {
		CountDownLatch done = new CountDownLatch(size);
		for (int i = 0; i < size; i++) {
			Workload.POINT_SELECT.start(contender).whenComplete((value, failure) -> {
				outcomes.record(Futures.unwrap(failure));
				done.countDown();
			});
		}
		return await(done);
	}

	private static boolean drainOnThreads(Contender contender, int size, int threads, Outcomes outcomes) {
		AtomicInteger remaining = new AtomicInteger(size);
		CountDownLatch done = new CountDownLatch(threads);
		for (int i = 0; i < threads; i++) {
			Thread thread = new Thread(() -> {
				while (remaining.getAndDecrement() > 0) {
					outcomes.record(Futures.failureOf(Workload.POINT_SELECT.start(contender)));
				}
				done.countDown();
			}, "bench-burst-" + i);
			thread.setDaemon(true);
			thread.start();
		}
		return await(done);
	}

	private static boolean await(CountDownLatch latch) {
		try {
			return latch.await(TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
