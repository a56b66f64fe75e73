package io.asyncsql.sample;

import java.util.List;

import io.asyncsql.EngineSaturatedException;
import io.asyncsql.QueueTimeoutException;
import reactor.core.publisher.Mono;

import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

/**
 * Answers every error of the API as an RFC 9457 problem detail
 * ({@code application/problem+json}): Spring's own exceptions (a missing or unreadable
 * body is a 400), the API's {@link UserNotFoundException} and {@link NameTakenException},
 * a request that fails validation (a 400 that says which field and why), and an engine
 * that is too busy to take the work (a 503).
 *
 * @since 0.1.0
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {

	@Override
	protected Mono<ResponseEntity<Object>> handleWebExchangeBindException(WebExchangeBindException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		List<String> errors = ex.getFieldErrors().stream().map(FieldError::getDefaultMessage).toList();
		ProblemDetail body = ex.getBody();
		body.setDetail(String.join("; ", errors));
		body.setProperty("errors", errors);
		return handleExceptionInternal(ex, body, headers, status, exchange);
	}

	@Override
	protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
			HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
		// Say what was wrong ("No request body") rather than "Invalid request content".
		String reason = ex.getReason();
		if (reason != null) {
			ex.getBody().setDetail(reason);
		}
		return super.handleServerWebInputException(ex, headers, status, exchange);
	}

	/**
	 * Answer a 503 when the engine refuses work because its queue is full, or the work
	 * waited too long for a permit: the client may retry later.
	 * @param ex the engine's refusal
	 * @param exchange the current exchange
	 * @return the response
	 */
	@ExceptionHandler({ EngineSaturatedException.class, QueueTimeoutException.class })
	public Mono<ResponseEntity<Object>> handleBusyEngine(TransientDataAccessResourceException ex,
			ServerWebExchange exchange) {
		ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"The database is busy; try again later");
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, "1");
		return handleExceptionInternal(ex, body, headers, HttpStatus.SERVICE_UNAVAILABLE, exchange);
	}

}
