package io.asyncsql;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.NonTransientDataAccessException;

/**
 * Thrown when a transaction's COMMIT was sent but its answer never came, because the
 * connection broke: the server may have committed or rolled back, and the client cannot
 * tell which. Not transient on purpose: retrying the transaction blindly could apply it
 * twice; check the database (an idempotency key, say) before trying again.
 *
 * @since 0.1.0
 */
public class TransactionOutcomeUnknownException extends NonTransientDataAccessException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create a new instance.
	 * @param message the detail message
	 * @param cause the driver's failure
	 */
	public TransactionOutcomeUnknownException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
