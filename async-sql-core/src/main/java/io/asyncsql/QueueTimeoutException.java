package io.asyncsql;

import org.springframework.dao.TransientDataAccessResourceException;

/**
 * Thrown when an operation waited longer than its queue timeout or deadline for a permit
 * or its connection; the operation never ran. Transient: retrying later may succeed.
 *
 * @since 0.1.0
 */
public class QueueTimeoutException extends TransientDataAccessResourceException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create a new instance.
	 * @param message the detail message
	 */
	public QueueTimeoutException(String message) {
		super(message);
	}

	/**
	 * Create a new instance that explains another.
	 * @param message the detail message
	 * @param cause the queue timeout it explains
	 */
	public QueueTimeoutException(String message, Throwable cause) {
		super(message, cause);
	}

}
