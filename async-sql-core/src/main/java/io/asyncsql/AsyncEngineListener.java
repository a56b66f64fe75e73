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
	 * The engine this listener was given to is built and accepts work; called once,
	 * before {@link AsyncEngineBuilder#build()} returns.
	 * @param engine the engine
	 */
	default void engineBuilt(AsyncEngine engine) {
	}

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

	/**
	 * A batch of coalesced updates is sent to the database; each update in it is also
	 * told as an operation of its own.
	 * @param size the number of updates in the batch, at least 2
	 */
	default void batchExecuted(int size) {
	}

}
