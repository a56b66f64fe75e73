package io.asyncsql;

import java.security.CodeSource;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.asyncsql.observation.OperationKind;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Reports connections, transactions and streams that hold their connection longer than
 * the engine's leak detection threshold, as HikariCP's {@code leakDetectionThreshold}
 * does for pooled connections.
 * <p>
 * Whoever asks for a lane has its stack captured on its own thread ({@link #opener});
 * once the lane holds its connection a timer is armed ({@link #watch}), which logs that
 * stack at WARN and counts a leak if the connection is still held at the threshold.
 * Releasing the connection cancels the timer or, after a report, logs at INFO that it
 * came back. Capturing a stack costs microseconds, so an engine without a threshold
 * captures nothing: it pays one field read when a lane is asked for and one when it
 * opens.
 */
final class LeakDetector {

	private static final Log logger = LogFactory.getLog(LeakDetector.class);

	private final String engineName;

	/** Zero when off. */
	private final long thresholdNanos;

	private final EngineThreads threads;

	private final LongAdder leaks = new LongAdder();

	LeakDetector(String engineName, @Nullable Duration threshold, EngineThreads threads) {
		this.engineName = engineName;
		this.thresholdNanos = (threshold != null) ? threshold.toNanos() : 0;
		this.threads = threads;
	}

	/**
	 * Capture, on the caller's thread, who is asking for a lane.
	 * @param kind what the lane is for: a connection, a transaction or a stream
	 * @return the caller, or {@code null} when leaks are not detected
	 */
	@Nullable Opener opener(OperationKind kind) {
		return (this.thresholdNanos != 0) ? new Opener(kind) : null;
	}

	/**
	 * Start timing a lane that now holds its connection.
	 * @param opener who asked for it, possibly captured by another engine's detector (a
	 * read-only view falls back from its reader to its primary)
	 * @return what to tell when the connection is released, or {@code null} when leaks
	 * are not detected
	 */
	@Nullable Watch watch(@Nullable Opener opener) {
		if (opener == null || this.thresholdNanos == 0) {
			return null;
		}
		Watch watch = new Watch(opener);
		watch.timer = this.threads.schedule(watch, this.thresholdNanos);
		return watch;
	}

	/**
	 * Return how many lanes were reported for holding their connection too long.
	 */
	long count() {
		return this.leaks.sum();
	}

	private static String format(long nanos) {
		long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
		if (millis < 1000) {
			return millis + " ms";
		}
		return (millis % 1000 == 0) ? (millis / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
	}

	private static String name(OperationKind kind) {
		return switch (kind) {
			case TRANSACTION -> "transaction";
			case STREAM -> "stream";
			case BULK_LOAD -> "bulk load";
			default -> "AsyncConnection";
		};
	}

	private static String heldUntil(OperationKind kind) {
		return switch (kind) {
			case TRANSACTION -> "it is held until the transaction commits or rolls back";
			case STREAM -> "it is held until the last row, an error or a cancel; while nothing is requested, until "
					+ "async-sql.stream.idle-timeout";
			case BULK_LOAD -> "it is held until its publisher completes or fails, or its result is cancelled";
			default -> "it is held until close()";
		};
	}

	/**
	 * Who asked for a lane: what for, on which thread, and the stack it called from.
	 */
	static final class Opener {

		private final OperationKind kind;

		private final String threadName;

		private final Exception stack;

		Opener(OperationKind kind) {
			this.kind = kind;
			this.threadName = Thread.currentThread().getName();
			this.stack = new Exception("async-sql " + kind.value() + " opened here");
		}

		/**
		 * Return the captured stack without its leading async-sql frames, so that it
		 * starts where the application called.
		 */
		Exception callersStack() {
			StackTraceElement[] frames = this.stack.getStackTrace();
			int first = 0;
			while (first < frames.length - 1 && isAsyncSqlFrame(frames[first])) {
				first++;
			}
			Exception trimmed = new Exception(this.stack.getMessage());
			trimmed.setStackTrace(Arrays.copyOfRange(frames, first, frames.length));
			return trimmed;
		}

		/**
		 * Return whether the frame is async-sql's own code: a class that comes from where
		 * this one does, so an application's classes are kept whatever their package.
		 */
		private static boolean isAsyncSqlFrame(StackTraceElement frame) {
			if (!frame.getClassName().startsWith("io.asyncsql.")) {
				return false;
			}
			try {
				Class<?> type = Class.forName(frame.getClassName(), false, LeakDetector.class.getClassLoader());
				return Objects.equals(location(type), location(LeakDetector.class));
			}
			catch (ClassNotFoundException | LinkageError | SecurityException ex) {
				return false;
			}
		}

		private static @Nullable Object location(Class<?> type) {
			CodeSource source = type.getProtectionDomain().getCodeSource();
			return (source != null) ? source.getLocation() : null;
		}

	}

	/**
	 * The timer of one lane, from when it holds its connection until it releases it.
	 */
	final class Watch implements Runnable {

		private final Opener opener;

		private final long openedAt = System.nanoTime();

		/** Set before the lane is published, read when it is released. */
		@Nullable ScheduledFuture<?> timer;

		private boolean reported;

		private boolean released;

		Watch(Opener opener) {
			this.opener = opener;
		}

		/**
		 * The threshold has passed: report the lane unless it has just been released.
		 */
		@Override
		public void run() {
			// Under the lock, so that a release racing with the report logs after it.
			synchronized (this) {
				if (this.released) {
					return;
				}
				this.reported = true;
				if (logger.isWarnEnabled()) {
					logger.warn(leakMessage(), this.opener.callersStack());
				}
				LeakDetector.this.leaks.increment();
			}
		}

		private String leakMessage() {
			OperationKind kind = this.opener.kind;
			return "async-sql engine '" + LeakDetector.this.engineName + "': "
					+ ((kind == OperationKind.CONNECTION) ? "an " : "a ") + name(kind) + " has held its connection for "
					+ format(System.nanoTime() - this.openedAt) + ", longer than async-sql.leak-detection-threshold ("
					+ format(LeakDetector.this.thresholdNanos) + "), and may have leaked (" + heldUntil(kind)
					+ "); it was opened on thread '" + this.opener.threadName + "' at:";
		}

		/**
		 * The lane has given its connection back.
		 */
		void released() {
			boolean wasReported;
			synchronized (this) {
				this.released = true;
				wasReported = this.reported;
			}
			ScheduledFuture<?> timer = this.timer;
			if (timer != null) {
				timer.cancel(false);
			}
			if (wasReported && logger.isInfoEnabled()) {
				logger.info("async-sql engine '" + LeakDetector.this.engineName + "': the " + name(this.opener.kind)
						+ " reported as a possible leak (opened on thread '" + this.opener.threadName
						+ "') released its connection after " + format(System.nanoTime() - this.openedAt));
			}
		}

	}

}
