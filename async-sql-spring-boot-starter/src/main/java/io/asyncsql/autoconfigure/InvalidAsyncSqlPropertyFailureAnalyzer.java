package io.asyncsql.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link InvalidAsyncSqlPropertyException} as the property, its bad value and
 * how to fix it, instead of a stack trace.
 */
class InvalidAsyncSqlPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidAsyncSqlPropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidAsyncSqlPropertyException cause) {
		String description = "Invalid value '" + cause.getValue() + "' for configuration property '"
				+ cause.getProperty() + "': " + cause.getReason() + ".";
		return new FailureAnalysis(description, cause.getAction(), cause);
	}

}
