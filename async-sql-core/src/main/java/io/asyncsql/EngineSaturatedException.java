package io.asyncsql;

import org.springframework.dao.TransientDataAccessResourceException;

/**
 * Thrown when an {@link AsyncEngine}'s wait queue is full and an operation is refused at
 * once. Transient: retrying later may succeed.
 *
 * @since 0.1.0
 */
public class EngineSaturatedException extends TransientDataAccessResourceException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create a new instance.
	 * @param message the detail message
	 */
	public EngineSaturatedException(String message) {
		super(message);
	}

}
