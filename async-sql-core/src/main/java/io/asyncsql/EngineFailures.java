package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionTimedOutException;

/**
 * The exceptions an {@link AsyncEngine} completes futures with. Each message carries the
 * engine's state and names the setting that governs the failure, as HikariCP's
 * connection-timeout message does.
 */
final class EngineFailures {

	/** MySQL's and MariaDB's "Query execution was interrupted". */
	private static final int MYSQL_QUERY_INTERRUPTED = 1317;

	private final String engineName;

	private final Duration queueTimeout;

	private final JdbcTemplate translator;

	private final Supplier<EngineStats> stats;

	EngineFailures(String engineName, Duration queueTimeout, JdbcTemplate translator, Supplier<EngineStats> stats) {
		this.engineName = engineName;
		this.queueTimeout = queueTimeout;
		this.translator = translator;
		this.stats = stats;
	}

	/**
	 * Translate what work threw: SQL exceptions through Spring's translator, timeouts to
	 * {@link StatementTimeoutException} naming the limit, anything else unchanged.
	 */
	Throwable translate(Throwable failure, @Nullable EngineOperation<?> operation) {
		Throwable result = failure;
		if (failure instanceof SQLException ex) {
			DataAccessException translated = this.translator.getExceptionTranslator().translate("async-sql", null, ex);
			result = (translated != null) ? translated : new UncategorizedSQLException("async-sql", null, ex);
		}
		boolean timedOut = (result instanceof QueryTimeoutException && !(result instanceof StatementTimeoutException))
				|| result instanceof TransactionTimedOutException;
		if (timedOut) {
			boolean deadline = operation != null && operation.deadline.isSet();
			SQLException cause = sqlCause(failure);
			if (cause != null && cause.getErrorCode() == MYSQL_QUERY_INTERRUPTED) {
				// Timeouts end with another code (1969, max_statement_time): this one is
				// a
				// KILL QUERY, and async-sql's own never outlive their operation.
				return new TransientDataAccessResourceException(
						prefix() + ": statement was interrupted at the server"
								+ " by another session (KILL QUERY), not by a deadline or timeout of async-sql",
						result);
			}
			if (!deadline && cause != null && isCancelRequest(cause)) {
				return new StatementTimeoutException(prefix() + ": statement was cancelled at the server by a cancel"
						+ " request: its query timeout (async-sql.query-timeout, the JdbcTemplate's queryTimeout),"
						+ " which the driver enforces that way, or else another session (pg_cancel_backend)", result);
			}
			String limit = deadline ? operation.deadline.describe()
					: "its query timeout (async-sql.query-timeout, the JdbcTemplate's queryTimeout)";
			return new StatementTimeoutException(prefix() + ": statement exceeded " + limit + " and was cancelled",
					result);
		}
		return result;
	}

	private static @Nullable SQLException sqlCause(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException ex) {
				return ex;
			}
		}
		return null;
	}

	/**
	 * Return whether PostgreSQL stopped a statement for a cancel request, which pgjdbc's
	 * query timeout and another session's {@code pg_cancel_backend} send alike.
	 */
	private static boolean isCancelRequest(SQLException ex) {
		String message = ex.getMessage();
		return "57014".equals(ex.getSQLState()) && message != null && message.contains("user request");
	}

	QueueTimeoutException queueTimeout(EngineOperation<?> operation) {
		long waitedMillis = TimeUnit.NANOSECONDS.toMillis(operation.waitedNanos());
		String what = operation.inLane ? "its connection" : "a permit";
		String limit = (operation.deadline.isSet() && operation.deadline.remainingNanos() <= 0)
				? operation.deadline.describe() : "async-sql.queue.timeout (" + this.queueTimeout + ")";
		EngineStats stats = this.stats.get();
		return new QueueTimeoutException(prefix() + ": operation waited " + waitedMillis + " ms for " + what
				+ " and reached " + limit + " before it could start (active=" + stats.active() + ", queued="
				+ stats.queued() + ", maxConcurrency=" + stats.maxConcurrency()
				+ "); raise the timeout or async-sql.executor.max-concurrency, or lower the load");
	}

	StatementTimeoutException deadlineExceeded(EngineOperation<?> operation) {
		return new StatementTimeoutException(prefix() + ": operation exceeded " + operation.deadline.describe()
				+ " while running; its statement was cancelled", null);
	}

	StatementTimeoutException transactionDeadlineExceeded(Deadline deadline) {
		return new StatementTimeoutException(prefix() + ": transaction exceeded " + deadline.describe()
				+ " before its work completed; it was rolled back and its connection released", null);
	}

	EngineSaturatedException saturated() {
		EngineStats stats = this.stats.get();
		return new EngineSaturatedException(prefix() + " is saturated (active=" + stats.active() + ", queued="
				+ stats.queued() + ", capacity=" + stats.queueCapacity()
				+ "); raise async-sql.queue.capacity or async-sql.executor.max-concurrency, or lower the load");
	}

	EngineClosedException closed(String what) {
		return new EngineClosedException(prefix() + " " + what);
	}

	/**
	 * Return whether a COMMIT failed because the connection broke (SQLSTATE class 08),
	 * rather than because the server refused it and rolled back.
	 */
	static boolean isConnectionFailure(SQLException ex, Connection connection) {
		String state = ex.getSQLState();
		if ((state != null && state.startsWith("08")) || ex instanceof SQLRecoverableException
				|| ex instanceof SQLNonTransientConnectionException) {
			return true;
		}
		try {
			return connection.isClosed();
		}
		catch (SQLException closedCheckFailure) {
			return true;
		}
	}

	/**
	 * Return the failure a dependent stage saw, without the {@link CompletionException}
	 * that {@link java.util.concurrent.CompletableFuture} wraps it in.
	 */
	static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	private String prefix() {
		return "async-sql engine '" + this.engineName + "'";
	}

}
