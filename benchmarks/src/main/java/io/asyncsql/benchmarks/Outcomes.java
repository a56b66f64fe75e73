package io.asyncsql.benchmarks;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.asyncsql.EngineSaturatedException;

/**
 * Counts of how operations ended, safe to update from any thread. An operation refused up
 * front (a full queue, a rejecting executor) counts as rejected, not failed.
 */
final class Outcomes {

	private final LongAdder succeeded = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

	/**
	 * Count one operation.
	 * @param failure why it failed, or {@code null} when it succeeded
	 */
	void record(Throwable failure) {
		if (failure == null) {
			this.succeeded.increment();
			return;
		}
		this.firstFailure.compareAndSet(null, failure);
		if (failure instanceof EngineSaturatedException || failure instanceof RejectedExecutionException) {
			this.rejected.increment();
		}
		else {
			this.failed.increment();
		}
	}

	long succeeded() {
		return this.succeeded.sum();
	}

	long failed() {
		return this.failed.sum();
	}

	long rejected() {
		return this.rejected.sum();
	}

	/**
	 * Return the operations that did not succeed, rejected ones included.
	 */
	long unsuccessful() {
		return failed() + rejected();
	}

	/**
	 * Return the first failure seen, as a one-line message, or {@code null}.
	 */
	String firstFailure() {
		Throwable failure = this.firstFailure.get();
		return (failure != null) ? failure.getClass().getSimpleName() + ": " + failure.getMessage() : null;
	}

}
