package io.asyncsql;

import org.springframework.dao.TransientDataAccessResourceException;

/**
 * Signalled to a stream's subscriber when the stream held its connection too long: no
 * demand for longer than the idle timeout, or open for longer than its maximum lifetime.
 * The stream was cancelled and its connection released.
 *
 * @since 0.1.0
 */
public class StreamTimeoutException extends TransientDataAccessResourceException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create a new instance.
	 * @param message the detail message
	 */
	public StreamTimeoutException(String message) {
		super(message);
	}

}
