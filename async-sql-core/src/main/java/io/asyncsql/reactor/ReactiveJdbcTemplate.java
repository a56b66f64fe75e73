package io.asyncsql.reactor;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

import io.asyncsql.AsyncConnection;
import io.asyncsql.AsyncConnectionUtils;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcOperations;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.AsyncTransaction;
import io.asyncsql.BulkLoad;
import io.asyncsql.BulkSink;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.util.Assert;

/**
 * Reactor API over an {@link AsyncJdbcTemplate}. Every {@link Mono} and {@link Flux} is
 * cold: nothing runs before subscription, and each subscription runs the statement anew.
 * Cancelling a subscription cancels the running statement at the database (or removes it
 * from the engine's queue); {@link #query} streams rows with backpressure.
 * <p>
 * Inside a Spring transaction of an {@link io.asyncsql.AsyncSqlTransactionManager} on the
 * same engine ({@code @Transactional} or {@code TransactionalOperator}), every operation
 * runs on the transaction's connection, found in the subscriber's Reactor
 * {@code Context}; {@link #inTransaction} then nests with a savepoint.
 * <p>
 * Errors arrive as {@code onError}: Spring's
 * {@link org.springframework.dao.DataAccessException} translations and the engine's
 * exceptions, as for {@link AsyncJdbcOperations}; a wrong number of arguments signals
 * {@link IllegalArgumentException}.
 *
 * @since 0.1.0
 */
public final class ReactiveJdbcTemplate {

	private final AsyncJdbcOperations operations;

	private final @Nullable AsyncJdbcTemplate template;

	/** The engine whose Spring transactions this template joins: the primary's. */
	private final @Nullable AsyncEngine engine;

	private final @Nullable AsyncConnection connection;

	/**
	 * Create a template that runs each operation on any pooled connection.
	 * @param template the asynchronous template to run on
	 */
	public ReactiveJdbcTemplate(AsyncJdbcTemplate template) {
		this(template, checkNotNull(template).getEngine());
	}

	/**
	 * Create a template on a view of another one, that joins the transactions of the
	 * given engine.
	 */
	ReactiveJdbcTemplate(AsyncJdbcTemplate template, AsyncEngine engine) {
		this.operations = template;
		this.template = template;
		this.engine = engine;
		this.connection = null;
	}

	private ReactiveJdbcTemplate(AsyncConnection connection) {
		this.operations = connection;
		this.template = null;
		this.engine = null;
		this.connection = connection;
	}

	private static AsyncJdbcTemplate checkNotNull(AsyncJdbcTemplate template) {
		Assert.notNull(template, "'template' must not be null");
		return template;
	}

	/**
	 * Return a template whose every operation runs on the given connection.
	 */
	static ReactiveJdbcTemplate on(AsyncConnection connection) {
		return new ReactiveJdbcTemplate(connection);
	}

	/**
	 * Run an insert, update or delete.
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param args the arguments to bind
	 * @return a mono of the number of rows affected
	 */
	public Mono<Integer> update(String sql, @Nullable Object... args) {
		Assert.hasText(sql, "'sql' must not be null or empty");
		return run((operations) -> operations.update(sql, args));
	}

	/**
	 * Stream the rows of a query, fetched as they are requested.
	 * @param <T> the row type
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param rowMapper the mapper of each row
	 * @param args the arguments to bind
	 * @return a flux of the mapped rows
	 * @see AsyncJdbcOperations#stream
	 */
	public <T> Flux<T> query(String sql, RowMapper<T> rowMapper, @Nullable Object... args) {
		Assert.hasText(sql, "'sql' must not be null or empty");
		Assert.notNull(rowMapper, "'rowMapper' must not be null");
		return Flux.deferContextual(
				(context) -> JdkFlowAdapter.flowPublisherToFlux(operations(context).stream(sql, rowMapper, args)));
	}

	/**
	 * Run a query that returns one row of one column.
	 * @param <T> the value type
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param requiredType the type of the value
	 * @param args the arguments to bind
	 * @return a mono of the value, empty for SQL {@code NULL}; it signals
	 * {@link org.springframework.dao.IncorrectResultSizeDataAccessException} unless
	 * exactly one row comes back
	 */
	public <T> Mono<T> queryForObject(String sql, Class<T> requiredType, @Nullable Object... args) {
		Assert.hasText(sql, "'sql' must not be null or empty");
		Assert.notNull(requiredType, "'requiredType' must not be null");
		return run((operations) -> operations.queryForObject(sql, requiredType, args));
	}

	/**
	 * Run a query that returns one row and map it.
	 * @param <T> the result type
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param rowMapper the mapper of the row
	 * @param args the arguments to bind
	 * @return a mono of the mapped row; it signals
	 * {@link org.springframework.dao.IncorrectResultSizeDataAccessException} unless
	 * exactly one row comes back
	 */
	public <T> Mono<T> queryForObject(String sql, RowMapper<T> rowMapper, @Nullable Object... args) {
		Assert.hasText(sql, "'sql' must not be null or empty");
		Assert.notNull(rowMapper, "'rowMapper' must not be null");
		return run((operations) -> operations.queryForObject(sql, rowMapper, args));
	}

	/**
	 * Run a statement without arguments, typically DDL.
	 * @param sql the SQL
	 * @return a mono that completes when the statement has run
	 */
	public Mono<Void> execute(String sql) {
		Assert.hasText(sql, "'sql' must not be null or empty");
		return run((operations) -> operations.execute(sql));
	}

	/**
	 * Run blocking JDBC code on an engine thread with a pooled connection, or with the
	 * transaction's connection inside a Spring transaction: a {@code JdbcTemplate} on the
	 * engine's {@code DataSource} called inside the callback then joins that transaction.
	 * @param <T> the result type
	 * @param action the callback
	 * @return a mono of the callback's result, empty for {@code null}
	 */
	public <T> Mono<T> execute(ConnectionCallback<T> action) {
		Assert.notNull(action, "'action' must not be null");
		return run((operations) -> operations.execute(action));
	}

	/**
	 * Write the rows of a publisher into a table with backpressure, as
	 * {@link AsyncJdbcTemplate#bulkSink(BulkLoad)} does: {@code COPY} on PostgreSQL, JDBC
	 * batches elsewhere, on a connection of its own. Each subscription runs the load anew
	 * (subscribing to the rows); cancelling it cancels the rows' subscription, rolls back
	 * what is not committed and releases the connection.
	 * @param <T> the row type
	 * @param rows the rows
	 * @param load what to write and how
	 * @return a mono of the number of rows written; it signals what the sink's result
	 * fails with
	 */
	public <T> Mono<Long> bulkLoad(Publisher<? extends T> rows, BulkLoad<T> load) {
		Assert.notNull(rows, "'rows' must not be null");
		Assert.notNull(load, "'load' must not be null");
		AsyncJdbcTemplate outer = this.template;
		Assert.state(outer != null, "A bulk load takes a connection of its own: call bulkLoad on the template, "
				+ "not on the one given to inTransaction's work");
		return mono(() -> {
			BulkSink<T> sink = outer.bulkSink(load);
			JdkFlowAdapter.publisherToFlowPublisher(rows).subscribe(sink);
			return sink.result();
		});
	}

	/**
	 * Run work in a transaction on one connection: commit when the work's publisher
	 * completes, roll back when it fails or its subscription is cancelled; the connection
	 * is released either way. Inside a transaction this nests with a savepoint.
	 * @param <T> the element type
	 * @param work the work, given a template bound to the transaction
	 * @return a flux of the work's elements
	 */
	public <T> Flux<T> inTransaction(Function<ReactiveJdbcTemplate, ? extends Publisher<T>> work) {
		Assert.notNull(work, "'work' must not be null");
		if (this.connection != null) {
			return transactional(this.connection, this.connection::beginNested, work);
		}
		AsyncJdbcTemplate outer = this.template;
		AsyncEngine joins = this.engine;
		Assert.state(outer != null && joins != null, "No template to open a connection with");
		return Flux.deferContextual((context) -> {
			AsyncConnection joined = AsyncConnectionUtils.transactionalConnection(context, joins);
			if (joined != null) {
				return transactional(joined, joined::beginNested, work);
			}
			return Flux.usingWhen(mono(outer::connect), (opened) -> transactional(opened, opened::begin, work),
					(opened) -> mono(opened::close), (opened, failure) -> mono(opened::close),
					(opened) -> mono(opened::close));
		});
	}

	private <T> Flux<T> transactional(AsyncConnection on, Supplier<CompletableFuture<AsyncTransaction>> begin,
			Function<ReactiveJdbcTemplate, ? extends Publisher<T>> work) {
		ReactiveJdbcTemplate bound = new ReactiveJdbcTemplate(on);
		return Flux.usingWhen(mono(begin), (transaction) -> work.apply(bound),
				(transaction) -> mono(transaction::commit), (transaction, failure) -> rollback(transaction),
				this::rollback);
	}

	private Mono<Void> rollback(AsyncTransaction transaction) {
		return Mono.defer(() -> transaction.isActive() ? mono(transaction::rollback) : Mono.empty());
	}

	/**
	 * Return the view whose work runs as that of {@link AsyncJdbcTemplate#readOnly()}: on
	 * the template's reader. Inside a transaction, or without a reader, it is this
	 * template.
	 * @return the read-only view
	 */
	public ReactiveJdbcTemplate readOnly() {
		AsyncJdbcTemplate outer = this.template;
		if (outer == null || outer.isReadOnly() || outer.getReadReplica() == null) {
			return this;
		}
		return new ReactiveJdbcTemplate(outer.readOnly(), this.engine);
	}

	/**
	 * Return the asynchronous operations this template runs.
	 * @return the operations
	 */
	public AsyncJdbcOperations getOperations() {
		return this.operations;
	}

	/**
	 * Run an operation on the connection of the Spring transaction bound to the
	 * subscriber, if any, and on this template's own otherwise.
	 */
	private <T> Mono<T> run(Function<AsyncJdbcOperations, CompletableFuture<T>> operation) {
		return Mono.deferContextual((context) -> mono(() -> operation.apply(operations(context))));
	}

	/**
	 * Return the connection every operation of this template runs on, set for the
	 * template given to {@link #inTransaction}'s work.
	 */
	@Nullable AsyncConnection connection() {
		return this.connection;
	}

	private AsyncJdbcOperations operations(ContextView context) {
		if (this.engine == null) {
			return this.operations;
		}
		AsyncConnection joined = AsyncConnectionUtils.transactionalConnection(context, this.engine);
		return (joined != null) ? joined : this.operations;
	}

	private static <T> Mono<T> mono(Supplier<? extends CompletableFuture<? extends T>> future) {
		// Cancelling the mono cancels the future, which cancels the statement.
		return Mono.fromFuture(future, false);
	}

}
