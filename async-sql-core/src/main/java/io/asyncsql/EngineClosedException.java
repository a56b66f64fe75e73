package io.asyncsql;

import org.springframework.dao.NonTransientDataAccessResourceException;

/**
 * Thrown when work is submitted to an {@link AsyncEngine} or {@link AsyncConnection} that
 * is closed, or when queued work is abandoned because its engine shut down.
 *
 * @since 0.1.0
 */
public class EngineClosedException extends NonTransientDataAccessResourceException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create a new instance.
	 * @param message the detail message
	 */
	public EngineClosedException(String message) {
		super(message);
	}

}
