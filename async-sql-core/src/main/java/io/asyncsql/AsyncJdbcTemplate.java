package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;

import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.util.Assert;

/**
 * {@link AsyncJdbcOperations} on an {@link AsyncEngine}: each operation runs a
 * {@link JdbcTemplate} call on an engine thread with a pooled connection, so
 * {@link java.sql.SQLException SQLExceptions} arrive as Spring's
 * {@link org.springframework.dao.DataAccessException} translations.
 * <p>
 * Thread-safe; one instance serves a whole application.
 *
 * @since 0.1.0
 */
public class AsyncJdbcTemplate extends JdbcOperationsSupport {

	private final AsyncEngine engine;

	private final @Nullable Duration timeout;

	/**
	 * Create a template with a default {@link JdbcTemplate} on the engine's data source.
	 * @param engine the engine to run on
	 */
	public AsyncJdbcTemplate(AsyncEngine engine) {
		this(engine, new JdbcTemplate(engineDataSource(engine)));
	}

	/**
	 * Create a template that runs the given {@link JdbcTemplate}, for its settings (query
	 * timeout, fetch size, exception translator).
	 * @param engine the engine to run on
	 * @param jdbcTemplate a template on the engine's own data source
	 */
	public AsyncJdbcTemplate(AsyncEngine engine, JdbcTemplate jdbcTemplate) {
		this(engine, jdbcTemplate, null);
		Assert.notNull(engine, "'engine' must not be null");
		Assert.notNull(jdbcTemplate, "'jdbcTemplate' must not be null");
		Assert.isTrue(jdbcTemplate.getDataSource() == engine.getDataSource(),
				"'jdbcTemplate' must use the engine's DataSource, or its statements would bypass the engine's connections");
	}

	private AsyncJdbcTemplate(AsyncEngine engine, JdbcTemplate jdbcTemplate, @Nullable Duration timeout) {
		super(jdbcTemplate);
		this.engine = engine;
		this.timeout = timeout;
	}

	private static javax.sql.DataSource engineDataSource(AsyncEngine engine) {
		Assert.notNull(engine, "'engine' must not be null");
		return engine.getDataSource();
	}

	/**
	 * Return a view of this template whose every call has one deadline, starting when the
	 * call is made and covering queue wait and execution. What is left of it when a
	 * statement starts becomes the statement's query timeout; when it runs out, a waiting
	 * call fails with {@link QueueTimeoutException} and a running one is cancelled and
	 * fails with {@link StatementTimeoutException}. For {@link #inTransaction(Function)}
	 * the deadline covers the whole transaction.
	 * @param timeout the budget of each call, positive
	 * @return the view
	 */
	public AsyncJdbcTemplate withTimeout(Duration timeout) {
		Assert.notNull(timeout, "'timeout' must not be null");
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, () -> "'timeout' must be positive, but was " + timeout);
		return new AsyncJdbcTemplate(this.engine, this.jdbcTemplate, timeout);
	}

	/**
	 * Run work in a transaction on one connection: commit when the work's stage completes
	 * normally, roll back when it fails. The future completes with the transaction's real
	 * outcome once the connection is back in the pool:
	 * <ul>
	 * <li>the work's result when the COMMIT succeeded;</li>
	 * <li>the work's failure, or the commit's, when the transaction was rolled back;</li>
	 * <li>{@link TransactionOutcomeUnknownException} when the connection broke while the
	 * COMMIT was under way, so that nobody can tell whether it committed.</li>
	 * </ul>
	 * Cancelling the future (or completing it yourself) before the COMMIT is sent cancels
	 * the running statement and rolls back; the future is cancelled at once and the
	 * connection follows it back to the pool shortly. Once the COMMIT has been sent,
	 * {@code cancel} returns {@code false} and the commit's outcome completes the future.
	 * On a {@link #withTimeout(Duration) view with a deadline} the same rule holds: when
	 * the deadline passes before the COMMIT is sent, the transaction is rolled back and
	 * the future completes exceptionally with {@link StatementTimeoutException}; a
	 * deadline passing while the COMMIT runs is ignored.
	 * @param <T> the result type
	 * @param work the work, given the transaction's operations
	 * @return a future of the work's result
	 */
	public <T> CompletableFuture<T> inTransaction(Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		Assert.notNull(work, "'work' must not be null");
		return inTransaction(deadline(), TransactionSetup.DEFAULT, work);
	}

	/**
	 * Run work in a transaction as a {@link TransactionDefinition} describes it, with the
	 * semantics of {@link #inTransaction(Function)} and of an
	 * {@link AsyncSqlTransactionManager}'s transactions: the isolation level and
	 * read-only mode hold for the transaction and the connection gets its previous ones
	 * back after it; the timeout is one deadline covering the wait for a connection, the
	 * work and the commit (the earlier of it and a {@link #withTimeout(Duration) view's}
	 * deadline), after which the transaction is rolled back and the future fails with
	 * {@link StatementTimeoutException}; when the definition is a
	 * {@link TransactionAttribute} (for example a {@code RuleBasedTransactionAttribute}),
	 * its rollback rules decide whether a failure of the work rolls back or commits
	 * before the future fails with it.
	 * <p>
	 * {@code CompletableFuture} code has no surrounding transaction to join, so
	 * {@code REQUIRED}, {@code REQUIRES_NEW} and {@code NESTED} begin a new transaction;
	 * {@code SUPPORTS}, {@code NOT_SUPPORTED} and {@code NEVER} run the work on this
	 * template, each operation on its own; {@code MANDATORY} fails with
	 * {@link IllegalTransactionStateException}.
	 * @param <T> the result type
	 * @param definition the transaction's definition
	 * @param work the work, given the transaction's operations
	 * @return a future of the work's result
	 * @throws org.springframework.transaction.InvalidIsolationLevelException for an
	 * unknown isolation level
	 * @throws org.springframework.transaction.InvalidTimeoutException for a negative
	 * timeout
	 */
	public <T> CompletableFuture<T> inTransaction(TransactionDefinition definition,
			Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		Assert.notNull(work, "'work' must not be null");
		TransactionSetup setup = TransactionSetup.of(definition);
		switch (definition.getPropagationBehavior()) {
			case TransactionDefinition.PROPAGATION_MANDATORY:
				return CompletableFuture.failedFuture(new IllegalTransactionStateException(
						"No existing transaction found for transaction marked with propagation 'mandatory'; "
								+ "CompletableFuture code has none to join"));
			case TransactionDefinition.PROPAGATION_SUPPORTS:
			case TransactionDefinition.PROPAGATION_NOT_SUPPORTED:
			case TransactionDefinition.PROPAGATION_NEVER:
				return TransactionRules.withoutTransaction(this, work);
			default:
				Deadline deadline = Deadline.earlier(deadline(), setup.deadline());
				if (definition instanceof TransactionAttribute attribute) {
					return TransactionRules.applying(attribute, (ruled) -> inTransaction(deadline, setup, ruled), work);
				}
				return inTransaction(deadline, setup, work);
		}
	}

	private <T> CompletableFuture<T> inTransaction(Deadline deadline, TransactionSetup setup,
			Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		OperationObservation observation = this.engine.observations.open(OperationKind.TRANSACTION, null,
				OperationObservation.NONE);
		CompletableFuture<AsyncConnection> connecting = this.engine.connect(deadline, this.jdbcTemplate, observation);
		// Before the connection comes: one that comes all the same is abandoned as it
		// arrives (abortWith below).
		TransactionFuture<T> result = new TransactionFuture<>(() -> {
			connecting.cancel(false);
			return true;
		});
		observation.endWith(result);
		connecting.whenComplete((connection, connectFailure) -> {
			if (connectFailure != null) {
				result.settleExceptionally(EngineFailures.unwrap(connectFailure));
				return;
			}
			DefaultAsyncConnection lane = (DefaultAsyncConnection) connection;
			TransactionFuture<T> transaction = lane.inTransaction(setup, work);
			result.abortWith(transaction::abort);
			if (deadline.isSet()) {
				expireAtDeadline(lane, deadline, result);
			}
			transaction.whenComplete((value, failure) -> lane.close().whenComplete((closed, closeFailure) -> {
				if (result.isAborted()) {
					// Ended by a cancel or the deadline, which completes the future.
					return;
				}
				if (failure != null) {
					result.settleExceptionally(EngineFailures.unwrap(failure));
				}
				else {
					result.settle(value);
				}
			}));
		});
		return result;
	}

	/**
	 * Hold the whole transaction to its deadline, even when the work's stage never
	 * completes: unless its COMMIT has been sent, roll it back (cancelling its statement)
	 * and fail once the connection is back.
	 */
	private void expireAtDeadline(DefaultAsyncConnection lane, Deadline deadline, TransactionFuture<?> result) {
		ScheduledFuture<?> timer = this.engine.schedule(() -> {
			if (!result.isDone() && result.abort()) {
				lane.close()
					.whenComplete((closed, closeFailure) -> result
						.settleExceptionally(this.engine.failures.transactionDeadlineExceeded(deadline)));
			}
		}, deadline.remainingNanos());
		if (timer != null) {
			result.whenComplete((value, failure) -> timer.cancel(false));
		}
	}

	/**
	 * Take a connection of its own for a sequence of operations run in order, with this
	 * template's settings; {@link AsyncConnection#close() close} it when done.
	 * @return a future of the connection
	 */
	public CompletableFuture<AsyncConnection> connect() {
		return this.engine.connect(deadline(), this.jdbcTemplate);
	}

	@Override
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work) {
		return this.engine.submit(work, deadline());
	}

	@Override
	<T> Flow.Publisher<T> publisher(String sql, RowMapper<T> rowMapper, @Nullable Object @Nullable [] args) {
		return new RowPublisher<>(this.engine, this.jdbcTemplate, sql, rowMapper, args,
				(observation) -> this.engine.connect(deadline(), this.jdbcTemplate, observation)
					.thenApply(DefaultAsyncConnection.class::cast),
				true);
	}

	private Deadline deadline() {
		return (this.timeout != null) ? Deadline.after(this.timeout) : Deadline.NONE;
	}

	/**
	 * Return the blocking template that runs the statements.
	 * @return the JDBC template
	 */
	public JdbcTemplate getJdbcTemplate() {
		return this.jdbcTemplate;
	}

	/**
	 * Return the engine this template runs on.
	 * @return the engine
	 */
	public AsyncEngine getEngine() {
		return this.engine;
	}

}
