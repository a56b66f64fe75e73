package io.asyncsql.sample;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * Another user already has the name: a 409.
 *
 * @since 0.1.0
 */
public class NameTakenException extends ErrorResponseException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param name the name that is taken
	 * @param cause the database's refusal
	 */
	public NameTakenException(String name, Throwable cause) {
		super(HttpStatus.CONFLICT,
				ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "A user named '" + name + "' already exists"),
				cause);
	}

}
