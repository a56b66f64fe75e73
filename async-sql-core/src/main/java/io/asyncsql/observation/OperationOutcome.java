package io.asyncsql.observation;

import java.util.Locale;

/**
 * How an observed operation ended.
 *
 * @since 0.1.0
 */
public enum OperationOutcome {

	/**
	 * The operation completed with a value.
	 */
	SUCCESS,

	/**
	 * The operation failed: a {@code DataAccessException} or whatever the caller's own
	 * code threw.
	 */
	ERROR,

	/**
	 * The operation was cancelled: its future, its subscription, or the engine shutting
	 * down while it ran.
	 */
	CANCELLED,

	/**
	 * The engine refused the operation: its queue was full, or the engine (or the
	 * connection) was closed before the operation could start.
	 */
	REJECTED,

	/**
	 * The operation waited longer than the queue timeout, or its own deadline, for a
	 * permit and never ran.
	 */
	QUEUE_TIMEOUT,

	/**
	 * The operation ran past its deadline or query timeout and its statement was
	 * cancelled.
	 */
	STATEMENT_TIMEOUT,

	/**
	 * The operation has not ended yet.
	 */
	UNKNOWN;

	/**
	 * Return the value of the {@code asyncsql.outcome} key.
	 * @return the lower-case name
	 */
	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

}
