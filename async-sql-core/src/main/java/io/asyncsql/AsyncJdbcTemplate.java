package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;
import java.util.function.Supplier;

import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
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
 * With a {@link #withReplica(ReadReplica) reader}, the {@link #readOnly() read-only view}
 * runs on the reader's engine and everything else on this template's, the primary's.
 * Transactions may be {@link #inTransaction(RetryPolicy, Function) retried} whole on
 * transient failures.
 * <p>
 * Thread-safe; one instance serves a whole application.
 *
 * @since 0.1.0
 */
public class AsyncJdbcTemplate extends JdbcOperationsSupport {

	private final AsyncEngine engine;

	private final @Nullable Duration timeout;

	/** Where reads go: set on a template with a reader, used by its read-only view. */
	private final @Nullable ReadRoute reads;

	/** Whether this is the read-only view, whose work goes through {@link #reads}. */
	private final boolean readOnly;

	/** How {@link #inTransaction(Function)} retries; {@code null} for not at all. */
	private final @Nullable RetryPolicy retryPolicy;

	private final RetryListener retryListener;

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
		this(engine, jdbcTemplate, null, null, false, null, NO_LISTENER);
		Assert.notNull(engine, "'engine' must not be null");
		Assert.notNull(jdbcTemplate, "'jdbcTemplate' must not be null");
		Assert.isTrue(jdbcTemplate.getDataSource() == engine.getDataSource(),
				"'jdbcTemplate' must use the engine's DataSource, or its statements would bypass the engine's connections");
	}

	private AsyncJdbcTemplate(AsyncEngine engine, JdbcTemplate jdbcTemplate, @Nullable Duration timeout,
			@Nullable ReadRoute reads, boolean readOnly, @Nullable RetryPolicy retryPolicy,
			RetryListener retryListener) {
		super(jdbcTemplate);
		this.engine = engine;
		this.timeout = timeout;
		this.reads = reads;
		this.readOnly = readOnly;
		this.retryPolicy = retryPolicy;
		this.retryListener = retryListener;
	}

	private static final RetryListener NO_LISTENER = new RetryListener() {
	};

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
		return new AsyncJdbcTemplate(this.engine, this.jdbcTemplate, timeout, this.reads, this.readOnly,
				this.retryPolicy, this.retryListener);
	}

	/**
	 * Return a template like this one whose {@link #readOnly() read-only view} runs on
	 * the given reader, with a {@link JdbcTemplate} on the reader's data source that
	 * copies this template's fetch size, maximum rows and query timeout.
	 * @param replica the reader
	 * @return the template
	 */
	public AsyncJdbcTemplate withReplica(ReadReplica replica) {
		Assert.notNull(replica, "'replica' must not be null");
		Assert.state(!this.readOnly, "withReplica(...) must be called on the primary template, not its read-only view");
		JdbcTemplate readerTemplate = new JdbcTemplate(replica.getEngine().getDataSource());
		readerTemplate.setFetchSize(this.jdbcTemplate.getFetchSize());
		readerTemplate.setMaxRows(this.jdbcTemplate.getMaxRows());
		readerTemplate.setQueryTimeout(this.jdbcTemplate.getQueryTimeout());
		ReadRoute route = new ReadRoute(this.engine, this.jdbcTemplate, replica, readerTemplate, null);
		return new AsyncJdbcTemplate(this.engine, this.jdbcTemplate, this.timeout, route, false, this.retryPolicy,
				this.retryListener);
	}

	/**
	 * Return the view for reads: its operations, transactions, connections and streams
	 * run on the {@link #withReplica(ReadReplica) reader} (on this template's engine when
	 * there is none). A write through it fails with the reader's read-only error; it is
	 * never moved to the primary. When the reader is down or saturated, the view's work
	 * fails, or runs on the primary where the reader allows
	 * {@link ReadReplica.Builder#fallbackToPrimary(boolean) fallback}; a stream picks its
	 * side when it is created.
	 * <p>
	 * This is also the routing of read-only transactions: a transaction manager takes its
	 * connection from {@code (definition.isReadOnly() ? template.readOnly() :
	 * template).connect()}.
	 * @return the read-only view
	 */
	public AsyncJdbcTemplate readOnly() {
		ReadRoute route = this.reads;
		if (this.readOnly || route == null) {
			return this;
		}
		return new AsyncJdbcTemplate(route.reader(), readerTemplate(route), this.timeout, route, true, this.retryPolicy,
				this.retryListener);
	}

	/**
	 * Return the {@link #readOnly() read-only view} for reads that may be at most the
	 * given time behind the primary: each operation first asks the reader for its
	 * {@link ReadReplica#replayLag() replay lag} and runs on the primary instead when
	 * that is greater or unknown. Transactions and connections ask once, before they
	 * start; streams of this view run on the primary. Without a reader, reads run on this
	 * template's engine.
	 * @param maxStaleness longest the reader may be behind, zero or positive
	 * @return the read-only view
	 */
	public AsyncJdbcTemplate readOnly(Duration maxStaleness) {
		Assert.notNull(maxStaleness, "'maxStaleness' must not be null");
		Assert.isTrue(!maxStaleness.isNegative(), () -> "'maxStaleness' must not be negative, but was " + maxStaleness);
		ReadRoute route = this.reads;
		if (route == null) {
			return this;
		}
		ReadRoute bounded = route.withMaxStaleness(maxStaleness);
		return new AsyncJdbcTemplate(route.reader(), readerTemplate(route), this.timeout, bounded, true,
				this.retryPolicy, this.retryListener);
	}

	private JdbcTemplate readerTemplate(ReadRoute route) {
		return route.readerTemplate();
	}

	/**
	 * Return the reader of this template, set by {@link #withReplica(ReadReplica)}.
	 * @return the reader, or {@code null} when reads run on this template's engine
	 */
	public @Nullable ReadReplica getReadReplica() {
		ReadRoute route = this.reads;
		return (route != null) ? route.replica() : null;
	}

	/**
	 * Return whether this is a {@link #readOnly() read-only view} on a reader.
	 * @return whether work runs on the reader
	 */
	public boolean isReadOnly() {
		return this.readOnly;
	}

	/**
	 * Return a view whose {@link #inTransaction(Function)} runs a transaction again,
	 * whole and on a new connection, while it fails in a way the policy retries: build
	 * one with {@link TransientFailures#retryPolicy(boolean)}. The next attempt is
	 * scheduled after the policy's back-off; no thread waits for it. Single statements
	 * are not retried.
	 * @param retryPolicy the policy; {@code null} for no retries
	 * @return the view
	 */
	public AsyncJdbcTemplate withRetry(@Nullable RetryPolicy retryPolicy) {
		return new AsyncJdbcTemplate(this.engine, this.jdbcTemplate, this.timeout, this.reads, this.readOnly,
				retryPolicy, this.retryListener);
	}

	/**
	 * Return a view that tells the given listener of each retried transaction (meters,
	 * observations), as {@link org.springframework.core.retry.RetryTemplate} tells its
	 * listeners.
	 * @param retryListener the listener
	 * @return the view
	 */
	public AsyncJdbcTemplate withRetryListener(RetryListener retryListener) {
		Assert.notNull(retryListener, "'retryListener' must not be null");
		return new AsyncJdbcTemplate(this.engine, this.jdbcTemplate, this.timeout, this.reads, this.readOnly,
				this.retryPolicy, retryListener);
	}

	/**
	 * Run work in a transaction like {@link #inTransaction(Function)}, and run the whole
	 * transaction again, on a new connection, while it fails in a way the policy retries,
	 * after the policy's back-off (scheduled: no thread waits). On a view with a
	 * deadline, each attempt has its own; the policy's timeout bounds them all. The
	 * future completes exceptionally with the last attempt's failure, the earlier ones
	 * suppressed.
	 * @param <T> the result type
	 * @param retryPolicy the policy, for example from
	 * {@link TransientFailures#retryPolicy(boolean)}
	 * @param work the work, given the transaction's operations; called once per attempt
	 * @return a future of the work's result
	 */
	public <T> CompletableFuture<T> inTransaction(RetryPolicy retryPolicy,
			Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		Assert.notNull(retryPolicy, "'retryPolicy' must not be null");
		Assert.notNull(work, "'work' must not be null");
		return new TransactionRetrier(retryPolicy, this.retryListener).execute(withRetry(null), work);
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
	 * deadline passing while the COMMIT runs is ignored. On a
	 * {@link #withRetry(RetryPolicy) view with a retry policy}, the transaction is
	 * retried as {@link #inTransaction(RetryPolicy, Function)} does.
	 * @param <T> the result type
	 * @param work the work, given the transaction's operations
	 * @return a future of the work's result
	 */
	public <T> CompletableFuture<T> inTransaction(Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		Assert.notNull(work, "'work' must not be null");
		DefaultAsyncConnection joined = joined();
		if (joined != null) {
			return joined.inTransaction(TransactionSetup.DEFAULT, work);
		}
		if (this.retryPolicy != null) {
			return inTransaction(this.retryPolicy, work);
		}
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
		DefaultAsyncConnection joined = joined();
		if (joined != null) {
			return JoinedTransactions.propagate(this, joined, definition, setup, work);
		}
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

	/**
	 * Run a body of {@code CompletableFuture} code in a transaction as a
	 * {@link TransactionDefinition} describes it (see
	 * {@link #inTransaction(TransactionDefinition, Function)}), committing when the stage
	 * the body returns completes and rolling back when it fails (as the definition's
	 * rollback rules say) or the returned future is cancelled. This is what
	 * {@link io.asyncsql.transaction.AsyncTransactional @AsyncTransactional} runs.
	 * <p>
	 * The body runs once the transaction has begun, on the engine thread that began it,
	 * and must not block. Operations of this engine's templates and clients
	 * ({@code AsyncJdbcTemplate}, {@code AsyncJdbcClient}, and transactions they start,
	 * which take part or nest as their definitions say) join the transaction when they
	 * are started:
	 * <ul>
	 * <li>in the body itself, on its thread;</li>
	 * <li>in stages that run as one of the transaction's operations completes, that is
	 * dependent stages chained (without an executor) on the futures of joined
	 * operations.</li>
	 * </ul>
	 * Operations started on other threads (an executor of yours, {@code *Async} stages, a
	 * scheduler) or after the body's stage has completed run on their own connections. A
	 * plain {@code JdbcTemplate} called inside a joined operation's callback joins too.
	 * @param <T> the result type
	 * @param definition the transaction's definition
	 * @param body the body, whose stage decides the outcome
	 * @return a future of the body's result, completed after the commit or rollback
	 */
	public <T> CompletableFuture<T> transactional(TransactionDefinition definition,
			Supplier<? extends CompletionStage<T>> body) {
		Assert.notNull(definition, "'definition' must not be null");
		Assert.notNull(body, "'body' must not be null");
		return inTransaction(definition, (operations) -> (operations instanceof DefaultAsyncConnection lane)
				? lane.joining(body) : JoinedTransactions.outside(body));
	}

	/**
	 * Return the lane of the {@link #transactional} body this thread works for, if it is
	 * on this template's engine or, for a read-only view, on its primary.
	 */
	private @Nullable DefaultAsyncConnection joined() {
		DefaultAsyncConnection joined = JoinedTransactions.current(this.engine);
		ReadRoute route = this.reads;
		if (joined == null && this.readOnly && route != null) {
			joined = JoinedTransactions.current(route.primary());
		}
		return joined;
	}

	private <T> CompletableFuture<T> inTransaction(Deadline deadline, TransactionSetup setup,
			Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		OperationObservation observation = this.engine.observations.open(OperationKind.TRANSACTION, null,
				OperationObservation.NONE);
		CompletableFuture<AsyncConnection> connecting = connect(deadline, observation);
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
			// The cancel hook goes in before the transaction starts: a cancel that came
			// as the connection arrived abandons it before it begins, and none can slip
			// between its start and the hook and be reported while it commits.
			TransactionFuture<T> transaction = lane.inTransaction(setup, work,
					(starting) -> result.abortWith(starting::abort));
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
		ScheduledFuture<?> timer = this.engine.threads.schedule(() -> {
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
		return connect(deadline());
	}

	private CompletableFuture<AsyncConnection> connect(Deadline deadline) {
		return connect(deadline, null);
	}

	/**
	 * Open a lane on the primary, or on the reader for a read-only view, for the given
	 * transaction, or as a connection of its own when {@code null}.
	 */
	private CompletableFuture<AsyncConnection> connect(Deadline deadline, @Nullable OperationObservation transaction) {
		OperationKind kind = (transaction != null) ? OperationKind.TRANSACTION : OperationKind.CONNECTION;
		ReadRoute route = this.reads;
		if (this.readOnly && route != null) {
			return route.connect(deadline, kind);
		}
		LeakDetector.Opener opener = this.engine.leaks.opener(kind);
		return (transaction != null) ? this.engine.connect(deadline, this.jdbcTemplate, transaction, opener)
				: this.engine.connect(deadline, this.jdbcTemplate, opener);
	}

	@Override
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work) {
		DefaultAsyncConnection joined = joined();
		if (joined != null) {
			return joined.submit(work);
		}
		ReadRoute route = this.reads;
		if (this.readOnly && route != null) {
			return route.submit(work, deadline());
		}
		return this.engine.submit(work, deadline());
	}

	@Override
	<T> Flow.Publisher<T> publisher(String sql, RowMapper<T> rowMapper, @Nullable Object @Nullable [] args) {
		DefaultAsyncConnection joined = joined();
		if (joined != null) {
			return joined.publisher(sql, rowMapper, args);
		}
		ReadRoute route = this.reads;
		if (this.readOnly && route != null && !route.streamsOnReader()) {
			// Decided now: a stream that moved side after rows arrived would repeat them.
			AsyncEngine primary = route.primary();
			JdbcTemplate primaryTemplate = route.primaryTemplate();
			return new RowPublisher<>(primary, primaryTemplate, sql, rowMapper, args,
					(observation) -> primary
						.connect(deadline(), primaryTemplate, observation, primary.leaks.opener(OperationKind.STREAM))
						.thenApply(DefaultAsyncConnection.class::cast),
					true);
		}
		return new RowPublisher<>(this.engine, this.jdbcTemplate, sql, rowMapper, args,
				(observation) -> this.engine
					.connect(deadline(), this.jdbcTemplate, observation, this.engine.leaks.opener(OperationKind.STREAM))
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
	 * Return the engine this template runs on: the reader's for a {@link #readOnly()
	 * read-only view}.
	 * @return the engine
	 */
	public AsyncEngine getEngine() {
		return this.engine;
	}

}
