package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Shuts an {@link AsyncEngine} down: stop admitting, let queued and running operations
 * finish for up to the shutdown timeout, then fail what still waits, cancel what still
 * runs (open lanes included) and stop the threads.
 * <p>
 * Shutdown may be asked for from a worker, in a stage of an operation's future; it then
 * must not wait for what that worker would only run once shutdown returns.
 */
final class EngineShutdown {

	private static final Log logger = LogFactory.getLog(AsyncEngine.class);

	private static final long ABORT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

	private static final long FUTURE_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

	private final String engineName;

	private final Duration timeout;

	private final Admission admission;

	private final Workers workers;

	private final Lanes lanes;

	private final EngineThreads threads;

	private final EngineFailures failures;

	private final EngineCounters counters;

	EngineShutdown(String engineName, Duration timeout, Admission admission, Workers workers, Lanes lanes,
			EngineThreads threads, EngineFailures failures, EngineCounters counters) {
		this.engineName = engineName;
		this.timeout = timeout;
		this.admission = admission;
		this.workers = workers;
		this.lanes = lanes;
		this.threads = threads;
		this.failures = failures;
		this.counters = counters;
	}

	/**
	 * Shut down gracefully, as {@link AsyncEngine#close()} documents.
	 */
	void close() {
		if (this.admission.isClosed()) {
			return;
		}
		if (isInsideOperation()) {
			throw new IllegalStateException("async-sql engine '" + this.engineName + "'"
					+ ": close() was called from inside one of its own operations, which close() would wait for "
					+ "until the shutdown timeout; close the engine from outside, or from a stage of the "
					+ "operation's future (future.thenRun(engine::close))");
		}
		if (!this.admission.close()) {
			return;
		}
		handOffCallersSuccessor();
		if (!awaitDrained(this.timeout.toNanos())) {
			EngineStats stats = this.counters.snapshot();
			logger.warn("async-sql engine '" + this.engineName + "' did not drain within " + this.timeout + " (active="
					+ stats.active() + ", queued=" + stats.queued()
					+ "); cancelling what is left. Raise async-sql.shutdown.timeout to wait longer");
			EngineClosedException reason = this.failures.closed("shut down before the operation started");
			for (EngineOperation<?> operation : this.admission.drainQueue()) {
				operation.abandon(reason);
			}
			this.lanes.abandonAll();
			this.workers.abandonRunning(reason);
			if (!awaitDrained(ABORT_GRACE_NANOS)) {
				logger.warn("async-sql engine '" + this.engineName
						+ "' still has work on the database after cancelling it");
			}
		}
		this.threads.shutdown();
	}

	/**
	 * Return whether the current thread is a worker in the middle of an operation: in its
	 * body, or in its task decorator before the operation has completed, rather than in a
	 * stage run after that.
	 */
	private boolean isInsideOperation() {
		return this.workers.operationsOfCurrentThread().anyMatch(EngineOperation::isUnderWay);
	}

	/**
	 * When shutdown is asked for from a callback on a worker, the operation that worker
	 * was to run next already holds the permit but could start only once close() returns,
	 * so close() would wait for it in vain: run it, and what follows it, elsewhere.
	 */
	private void handOffCallersSuccessor() {
		this.workers.operationsOfCurrentThread().forEach((operation) -> {
			EngineOperation<?> next = operation.successor;
			if (next != null) {
				operation.successor = null;
				this.workers.dispatchAside(next);
			}
		});
	}

	/**
	 * Wait until every permit is free and every operation that held one has completed its
	 * future: an operation gives up its permit just before it completes.
	 */
	private boolean awaitDrained(long nanos) {
		long deadline = System.nanoTime() + nanos;
		try {
			if (!this.admission.awaitIdle(nanos)) {
				return false;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		// Completed futures, not finished operations: work completing its future may
		// call close().
		while (this.workers.anyCompleting()) {
			if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
				return false;
			}
			LockSupport.parkNanos(FUTURE_POLL_NANOS);
		}
		return true;
	}

}
