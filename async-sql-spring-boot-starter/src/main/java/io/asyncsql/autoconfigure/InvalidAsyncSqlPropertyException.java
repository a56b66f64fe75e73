package io.asyncsql.autoconfigure;

/**
 * Thrown at start-up when an {@code async-sql.*} property has a value the engine cannot
 * work with; {@link InvalidAsyncSqlPropertyFailureAnalyzer} turns it into a report.
 */
final class InvalidAsyncSqlPropertyException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String property;

	private final Object value;

	private final String reason;

	private final String action;

	InvalidAsyncSqlPropertyException(String property, Object value, String reason, String action) {
		super("Invalid value '" + value + "' for configuration property '" + property + "': " + reason + ". " + action);
		this.property = property;
		this.value = value;
		this.reason = reason;
		this.action = action;
	}

	String getProperty() {
		return this.property;
	}

	Object getValue() {
		return this.value;
	}

	String getReason() {
		return this.reason;
	}

	String getAction() {
		return this.action;
	}

}
