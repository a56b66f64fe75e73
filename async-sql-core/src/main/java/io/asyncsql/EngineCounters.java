package io.asyncsql;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;

/**
 * Counts what becomes of the operations of an {@link AsyncEngine} for its
 * {@link EngineStats}, and tells its {@link AsyncEngineListener} when each starts and
 * finishes.
 * <p>
 * An operation is counted before its future shows its outcome ({@link OperationFuture}
 * counts ahead and takes the count back when another completion wins), so whoever sees
 * the future done finds it counted. A listener that throws costs a log line, never the
 * operation or its permit.
 */
final class EngineCounters {

	private static final Log logger = LogFactory.getLog(AsyncEngine.class);

	private final String engineName;

	private final AsyncEngineListener listener;

	private final Admission admission;

	private final LeakDetector leaks;

	private final LongAdder completed = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final LongAdder cancelled = new LongAdder();

	/** Operations offered: watched at submission, or rejected before being watched. */
	private final LongAdder submitted = new LongAdder();

	private final LongAdder batches = new LongAdder();

	private final LongAdder batchedOperations = new LongAdder();

	private final AtomicBoolean listenerFailureLogged = new AtomicBoolean();

	EngineCounters(String engineName, AsyncEngineListener listener, Admission admission, LeakDetector leaks) {
		this.engineName = engineName;
		this.listener = listener;
		this.admission = admission;
		this.leaks = leaks;
	}

	/**
	 * Return the engine's current figures.
	 */
	EngineStats snapshot() {
		return new EngineStats(this.admission.active(), this.admission.queued(), this.admission.permits(),
				this.admission.capacity(), this.completed.sum(), this.failed.sum(), this.rejected.sum(),
				this.cancelled.sum(), this.submitted.sum(), this.leaks.count(), this.batches.sum(),
				this.batchedOperations.sum());
	}

	/**
	 * Have the operation count its outcome and react when others complete its future
	 * (cancellation). Call before the operation is published to other threads.
	 */
	void watch(EngineOperation<?> operation) {
		this.submitted.increment();
		operation.watched = true;
	}

	/**
	 * Fail an operation that was never published to other threads: it counts as rejected
	 * only.
	 */
	void reject(EngineOperation<?> operation, DataAccessException reason) {
		if (!operation.watched) {
			this.submitted.increment();
		}
		operation.watched = false;
		this.rejected.increment();
		operation.future.completeExceptionally(reason);
	}

	/**
	 * Count the outcome a future completed with.
	 */
	void count(CompletableFuture<?> future) {
		outcomeCounter(future.isCompletedExceptionally(), future.isCancelled()).increment();
	}

	/**
	 * Count an outcome before the future shows it, or ({@code delta} -1) take that count
	 * back.
	 * @param failure what the future fails with, or {@code null} for a value
	 */
	void count(@Nullable Throwable failure, int delta) {
		outcomeCounter(failure != null, failure instanceof CancellationException).add(delta);
	}

	private LongAdder outcomeCounter(boolean failed, boolean cancelled) {
		return !failed ? this.completed : cancelled ? this.cancelled : this.failed;
	}

	void started(EngineOperation<?> operation) {
		try {
			this.listener.operationStarted(operation.waitedNanos());
		}
		catch (RuntimeException ex) {
			listenerFailed(ex);
		}
	}

	/**
	 * Count a batch of coalesced updates, and tell the listener.
	 */
	void batchExecuted(int size) {
		this.batches.increment();
		this.batchedOperations.add(size);
		try {
			this.listener.batchExecuted(size);
		}
		catch (RuntimeException ex) {
			listenerFailed(ex);
		}
	}

	void finished(long executionNanos, @Nullable Throwable failure) {
		try {
			this.listener.operationFinished(executionNanos, failure);
		}
		catch (RuntimeException ex) {
			listenerFailed(ex);
		}
	}

	private void listenerFailed(RuntimeException ex) {
		// The operation's outcome and its permit matter more than one lost metric; a
		// listener that fails every time would flood the log, so only the first warns.
		String message = "AsyncEngineListener of async-sql engine '" + this.engineName
				+ "' failed; the operation goes on";
		if (this.listenerFailureLogged.compareAndSet(false, true)) {
			logger.warn(message + " (later failures are logged at debug level)", ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(message, ex);
		}
	}

}
