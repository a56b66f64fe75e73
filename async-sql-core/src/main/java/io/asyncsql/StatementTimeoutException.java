package io.asyncsql;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.QueryTimeoutException;

/**
 * Thrown when an operation started but did not finish within its deadline or query
 * timeout; its statement was cancelled at the database.
 *
 * @since 0.1.0
 */
public class StatementTimeoutException extends QueryTimeoutException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create a new instance.
	 * @param message the detail message
	 * @param cause the driver's failure, if any
	 */
	public StatementTimeoutException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
