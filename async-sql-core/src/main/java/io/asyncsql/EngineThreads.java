package io.asyncsql;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The threads of an {@link AsyncEngine}: workers that run JDBC work
 * ({@code async-sql-<name>-<n>}), one timer for deadlines and timeouts, and a small pool
 * for {@code Statement.cancel()} calls.
 * <p>
 * Workers are a fixed pool of {@code maxConcurrency} platform threads, or one virtual
 * thread per dispatch; either way the permits bound how many run JDBC at once.
 * Cancellations get threads of their own because a cancel can block for long (pgjdbc
 * sends it over a new connection and waits up to its {@code cancelSignalTimeout}): on the
 * timer it would hold up every other deadline.
 */
final class EngineThreads {

	private static final long FIRST_RETRY_MILLIS = 50;

	private static final long LAST_RETRY_MILLIS = 1000;

	private final Executor workers;

	private final @Nullable ThreadPoolExecutor platformWorkers;

	private final ScheduledThreadPoolExecutor timer;

	private final ThreadPoolExecutor cancellations;

	private final String prefix;

	EngineThreads(String engineName, ThreadMode mode, int maxConcurrency) {
		String prefix = "async-sql-" + engineName + "-";
		this.prefix = prefix;
		if (mode == ThreadMode.VIRTUAL) {
			ThreadFactory factory = VirtualThreads.factory(prefix);
			this.platformWorkers = null;
			this.workers = (work) -> factory.newThread(work).start();
		}
		else {
			this.platformWorkers = pool(maxConcurrency, 60, daemonThreads(prefix));
			this.workers = this.platformWorkers;
		}
		this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads(prefix + "timer-"));
		this.timer.setRemoveOnCancelPolicy(true);
		this.cancellations = pool(maxConcurrency, 10, daemonThreads(prefix + "cancel-"));
	}

	private static ThreadPoolExecutor pool(int size, int keepAliveSeconds, ThreadFactory threads) {
		ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, keepAliveSeconds, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), threads);
		pool.allowCoreThreadTimeOut(true);
		return pool;
	}

	private static ThreadFactory daemonThreads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Run work on a worker thread, or here once the workers have stopped, when all that
	 * is left is aborted work and connections to give back.
	 */
	void dispatch(Runnable work) {
		try {
			this.workers.execute(work);
		}
		catch (RejectedExecutionException ex) {
			work.run();
		}
	}

	/**
	 * Run work off the current thread even when every worker is busy: on a virtual
	 * thread, or in platform mode on a thread of its own. Only for the rare work that
	 * holds a permit while the worker meant to run it is blocked.
	 */
	void dispatchAside(Runnable work) {
		if (this.platformWorkers == null) {
			dispatch(work);
			return;
		}
		Thread thread = new Thread(work, this.prefix + "aside");
		thread.setDaemon(true);
		thread.start();
	}

	/**
	 * Run an action on the timer after a delay.
	 * @return the scheduled action, or {@code null} once the timer has stopped
	 */
	@Nullable ScheduledFuture<?> schedule(Runnable action, long delayNanos) {
		try {
			return this.timer.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			return null;
		}
	}

	/**
	 * Run a cancellation off the caller's and the timer's thread.
	 */
	private void cancelAsync(Runnable cancellation) {
		try {
			this.cancellations.execute(cancellation);
		}
		catch (RejectedExecutionException ex) {
			cancellation.run();
		}
	}

	/**
	 * Cancel until the work stops: a driver ignores a cancel that arrives before its
	 * statement starts executing (pgjdbc sends one only for a running statement), so
	 * while the work still runs, cancel again, backing off up to a second apart.
	 * @param cancellation the cancel to issue, off the caller's thread
	 * @param running whether the work still holds its statements
	 */
	void cancelUntilStopped(Runnable cancellation, BooleanSupplier running) {
		cancelAgain(cancellation, running, FIRST_RETRY_MILLIS);
	}

	private void cancelAgain(Runnable cancellation, BooleanSupplier running, long retryMillis) {
		cancelAsync(() -> {
			if (!running.getAsBoolean()) {
				return;
			}
			cancellation.run();
			long nextMillis = Math.min(retryMillis * 2, LAST_RETRY_MILLIS);
			schedule(() -> cancelAgain(cancellation, running, nextMillis), TimeUnit.MILLISECONDS.toNanos(retryMillis));
		});
	}

	void shutdown() {
		if (this.platformWorkers != null) {
			this.platformWorkers.shutdown();
		}
		this.timer.shutdownNow();
		this.cancellations.shutdown();
	}

	/**
	 * Cancel a scheduled action, if any, without interrupting it.
	 */
	static void cancel(@Nullable ScheduledFuture<?> timer) {
		if (timer != null) {
			timer.cancel(false);
		}
	}

}
