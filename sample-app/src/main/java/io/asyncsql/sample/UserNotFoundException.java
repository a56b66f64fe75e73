package io.asyncsql.sample;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * No user has the requested id: a 404.
 *
 * @since 0.1.0
 */
public class UserNotFoundException extends ErrorResponseException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param id the id that was asked for
	 */
	public UserNotFoundException(long id) {
		super(HttpStatus.NOT_FOUND, ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No user with id " + id),
				null);
	}

}
