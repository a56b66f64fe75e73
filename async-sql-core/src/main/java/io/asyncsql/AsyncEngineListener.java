package io.asyncsql;

import org.jspecify.annotations.Nullable;

/**
 * Callback for the life of each operation of an {@link AsyncEngine}, for metrics. Methods
 * run on engine threads and must be fast and non-blocking.
 *
 * @since 0.1.0
 */
public interface AsyncEngineListener {

	/**
	 * An operation got its permit and starts on the database.
	 * @param waitNanos time from submission until now
	 */
	default void operationStarted(long waitNanos) {
	}

	/**
	 * An operation finished on the database.
	 * @param executionNanos time it ran
	 * @param failure what it failed with, or {@code null} when it succeeded
	 */
	default void operationFinished(long executionNanos, @Nullable Throwable failure) {
	}

}
