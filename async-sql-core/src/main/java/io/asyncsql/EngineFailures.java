package io.asyncsql;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionTimedOutException;

/**
 * The exceptions an {@link AsyncEngine} completes futures with. Each message carries the
 * engine's state and names the setting that governs the failure, as HikariCP's
 * connection-timeout message does.
 */
final class EngineFailures {

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
	Throwable translate(Throwable failure, @Nullable EngineTask<?> task) {
		Throwable result = failure;
		if (failure instanceof SQLException ex) {
			DataAccessException translated = this.translator.getExceptionTranslator().translate("async-sql", null, ex);
			result = (translated != null) ? translated : new UncategorizedSQLException("async-sql", null, ex);
		}
		boolean timedOut = (result instanceof QueryTimeoutException && !(result instanceof StatementTimeoutException))
				|| result instanceof TransactionTimedOutException;
		if (timedOut) {
			String limit = (task != null && task.deadline.isSet()) ? task.deadline.describe()
					: "its query timeout (async-sql.query-timeout, the JdbcTemplate's queryTimeout)";
			return new StatementTimeoutException(prefix() + ": statement exceeded " + limit + " and was cancelled",
					result);
		}
		return result;
	}

	QueueTimeoutException queueTimeout(EngineTask<?> task) {
		long waitedMillis = TimeUnit.NANOSECONDS.toMillis(task.waitedNanos());
		String what = task.inLane ? "its connection" : "a permit";
		String limit = (task.deadline.isSet() && task.deadline.remainingNanos() <= 0) ? task.deadline.describe()
				: "async-sql.queue.timeout (" + this.queueTimeout + ")";
		EngineStats stats = this.stats.get();
		return new QueueTimeoutException(prefix() + ": operation waited " + waitedMillis + " ms for " + what
				+ " and reached " + limit + " before it could start (active=" + stats.active() + ", queued="
				+ stats.queued() + ", maxConcurrency=" + stats.maxConcurrency()
				+ "); raise the timeout or async-sql.executor.max-concurrency, or lower the load");
	}

	StatementTimeoutException deadlineExceeded(EngineTask<?> task) {
		return new StatementTimeoutException(prefix() + ": operation exceeded " + task.deadline.describe()
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
