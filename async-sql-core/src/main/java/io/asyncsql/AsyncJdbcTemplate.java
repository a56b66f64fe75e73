package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;

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

	/** Where this view's work runs, and with what deadline. */
	private final TemplateRoute route;

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
		this(new TemplateRoute(engine, jdbcTemplate, null, null, false), null, NO_LISTENER);
		Assert.notNull(engine, "'engine' must not be null");
		Assert.notNull(jdbcTemplate, "'jdbcTemplate' must not be null");
		Assert.isTrue(jdbcTemplate.getDataSource() == engine.getDataSource(),
				"'jdbcTemplate' must use the engine's DataSource, or its statements would bypass the engine's connections");
	}

	private AsyncJdbcTemplate(TemplateRoute route, @Nullable RetryPolicy retryPolicy, RetryListener retryListener) {
		super(route.jdbcTemplate);
		this.route = route;
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
	 * Return a view whose every call has one deadline, from the call through queue wait
	 * and execution (for {@link #inTransaction(Function)}, the whole transaction); what
	 * is left when a statement starts is its query timeout. Past it, a waiting call fails
	 * with {@link QueueTimeoutException}, a running one with
	 * {@link StatementTimeoutException}, its statement cancelled.
	 * @param timeout the budget of each call, positive
	 * @return the view
	 */
	@Override
	public AsyncJdbcTemplate withTimeout(Duration timeout) {
		Assert.notNull(timeout, "'timeout' must not be null");
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, () -> "'timeout' must be positive, but was " + timeout);
		return new AsyncJdbcTemplate(this.route.withTimeout(timeout), this.retryPolicy, this.retryListener);
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
		Assert.state(!this.route.readOnly,
				"withReplica(...) must be called on the primary template, not its read-only view");
		return new AsyncJdbcTemplate(this.route.withReplica(replica), this.retryPolicy, this.retryListener);
	}

	/**
	 * Return the view for reads: its operations, transactions, connections and streams
	 * run on the {@link #withReplica(ReadReplica) reader} (on this template's engine when
	 * there is none), and so do read-only transactions. A write through it fails with the
	 * reader's read-only error, never moved to the primary. When the reader is down or
	 * saturated, its work fails, or runs on the primary where the reader allows
	 * {@link ReadReplica.Builder#fallbackToPrimary(boolean) fallback}; a stream picks its
	 * side when it is created.
	 * @return the read-only view
	 */
	public AsyncJdbcTemplate readOnly() {
		return view(this.route.forReads(null));
	}

	/**
	 * Return the {@link #readOnly() read-only view} for reads at most the given time
	 * behind the primary: each operation (a transaction or connection once, before it
	 * starts) runs on the primary when the reader's {@link ReadReplica#replayLag() replay
	 * lag} is greater or unknown; streams run on the primary.
	 * @param maxStaleness longest the reader may be behind, zero or positive
	 * @return the read-only view
	 */
	public AsyncJdbcTemplate readOnly(Duration maxStaleness) {
		Assert.notNull(maxStaleness, "'maxStaleness' must not be null");
		Assert.isTrue(!maxStaleness.isNegative(), () -> "'maxStaleness' must not be negative, but was " + maxStaleness);
		return view(this.route.forReads(maxStaleness));
	}

	private AsyncJdbcTemplate view(@Nullable TemplateRoute reads) {
		return (reads != null) ? new AsyncJdbcTemplate(reads, this.retryPolicy, this.retryListener) : this;
	}

	/**
	 * Return the reader of this template, set by {@link #withReplica(ReadReplica)}.
	 * @return the reader, or {@code null} when reads run on this template's engine
	 */
	public @Nullable ReadReplica getReadReplica() {
		ReadRoute reads = this.route.reads;
		return (reads != null) ? reads.replica() : null;
	}

	/**
	 * Return whether this is a {@link #readOnly() read-only view} on a reader.
	 * @return whether work runs on the reader
	 */
	public boolean isReadOnly() {
		return this.route.readOnly;
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
		return new AsyncJdbcTemplate(this.route, retryPolicy, this.retryListener);
	}

	/**
	 * Return a view that tells the given listener of each retried transaction, as
	 * {@link org.springframework.core.retry.RetryTemplate} tells its listeners.
	 * @param retryListener the listener
	 * @return the view
	 */
	public AsyncJdbcTemplate withRetryListener(RetryListener retryListener) {
		Assert.notNull(retryListener, "'retryListener' must not be null");
		return new AsyncJdbcTemplate(this.route, this.retryPolicy, retryListener);
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
	 * normally, roll back when it fails. Once the connection is back in the pool, the
	 * future completes with the work's result after a successful COMMIT, with the work's
	 * (or the commit's) failure after a rollback, or with
	 * {@link TransactionOutcomeUnknownException} when the connection broke during the
	 * COMMIT. Cancelling the future (or completing it yourself), or a
	 * {@link #withTimeout(Duration) view's deadline} passing
	 * ({@link StatementTimeoutException}), before the COMMIT is sent cancels the running
	 * statement and rolls back; once it is sent, {@code cancel} returns {@code false} and
	 * the commit's outcome completes the future. A {@link #withRetry(RetryPolicy) view
	 * with a retry policy} retries as {@link #inTransaction(RetryPolicy, Function)} does.
	 * @param <T> the result type
	 * @param work the work, given the transaction's operations
	 * @return a future of the work's result
	 */
	public <T> CompletableFuture<T> inTransaction(Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		return transaction(work);
	}

	@Override
	<T> CompletableFuture<T> transaction(Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work) {
		Assert.notNull(work, "'work' must not be null");
		DefaultAsyncConnection joined = this.route.joined();
		if (joined != null) {
			return joined.inTransaction(TransactionSetup.DEFAULT, work);
		}
		if (this.retryPolicy != null) {
			return new TransactionRetrier(this.retryPolicy, this.retryListener).execute(withRetry(null), work);
		}
		return TransactionRunner.onOwnLane(this.route, this.route.deadline(), TransactionSetup.DEFAULT, work);
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
		return transaction(definition, work);
	}

	/**
	 * Run work in a transaction as
	 * {@link #inTransaction(TransactionDefinition, Function)} does, giving it the
	 * operations that run in it.
	 */
	<T> CompletableFuture<T> transaction(TransactionDefinition definition,
			Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work) {
		Assert.notNull(work, "'work' must not be null");
		TransactionSetup setup = TransactionSetup.of(definition);
		DefaultAsyncConnection joined = this.route.joined();
		if (joined != null) {
			return JoinedTransactions.propagate(this, joined, definition, setup, work);
		}
		return TransactionRules.propagate(this, this.route, definition, setup, work);
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
	 * and must not block. Operations of this engine's templates and clients (and the
	 * transactions they start, which take part or nest as their definitions say) join the
	 * transaction when started in the body itself, on its thread, or in stages chained
	 * without an executor on the futures of joined operations. Operations started on
	 * other threads ({@code *Async} stages, a scheduler) or after the body's stage has
	 * completed run on their own connections. A plain {@code JdbcTemplate} called inside
	 * a joined operation's callback joins too.
	 * @param <T> the result type
	 * @param definition the transaction's definition
	 * @param body the body, whose stage decides the outcome
	 * @return a future of the body's result, completed after the commit or rollback
	 */
	public <T> CompletableFuture<T> transactional(TransactionDefinition definition,
			Supplier<? extends CompletionStage<T>> body) {
		Assert.notNull(definition, "'definition' must not be null");
		Assert.notNull(body, "'body' must not be null");
		return transaction(definition, (operations) -> operations.joining(body));
	}

	/**
	 * Run a body outside any transaction: these operations run in none.
	 */
	@Override
	<T> CompletionStage<T> joining(Supplier<? extends CompletionStage<T>> body) {
		return JoinedTransactions.outside(body);
	}

	@Override
	JdbcOperationsSupport forReads(@Nullable Duration maxStaleness) {
		return this.route.readOnly ? this : (maxStaleness != null) ? readOnly(maxStaleness) : readOnly();
	}

	/**
	 * Take a connection of its own for a sequence of operations run in order, with this
	 * template's settings; {@link AsyncConnection#close() close} it when done.
	 * @return a future of the connection
	 */
	public CompletableFuture<AsyncConnection> connect() {
		return DefaultAsyncConnection.asConnection(this.route.connect(this.route.deadline(), null));
	}

	/**
	 * Create a sink that writes the rows of one publisher into a table, with
	 * backpressure, as the definition says: {@code COPY} on PostgreSQL, JDBC batches
	 * elsewhere. It takes a connection of this template's engine when subscribed (this
	 * template's deadline, if any, covering each of its steps) and holds it until its
	 * {@link BulkSink#result() result} is settled.
	 * @param <T> the row type
	 * @param load what to write and how
	 * @return a new sink, to subscribe to one publisher
	 */
	public <T> BulkSink<T> bulkSink(BulkLoad<T> load) {
		Assert.notNull(load, "'load' must not be null");
		return this.route.bulkSink(load);
	}

	/**
	 * Write the rows of a publisher into a table: subscribe a new
	 * {@link #bulkSink(BulkLoad) sink} to it and return its result.
	 * @param <T> the row type
	 * @param rows the rows
	 * @param load what to write and how
	 * @return a future of the number of rows written; see {@link BulkSink}
	 */
	public <T> CompletableFuture<Long> bulkLoad(Flow.Publisher<? extends T> rows, BulkLoad<T> load) {
		Assert.notNull(rows, "'rows' must not be null");
		BulkSink<T> sink = bulkSink(load);
		rows.subscribe(sink);
		return sink.result();
	}

	@Override
	boolean coalescesUpdates() {
		return !this.route.readOnly && this.route.engine.coalescesUpdates();
	}

	@Override
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work) {
		return this.route.submit(work);
	}

	@Override
	<T> Flow.Publisher<T> publisher(String sql, RowMapper<T> rowMapper, @Nullable Object @Nullable [] args) {
		return this.route.publisher(sql, rowMapper, args);
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
		return this.route.engine;
	}

}
