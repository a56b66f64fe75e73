package io.asyncsql.reactor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.asyncsql.AsyncConnection;
import io.asyncsql.AsyncConnectionUtils;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcClient;
import io.asyncsql.AsyncJdbcTemplate;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.util.Assert;

/**
 * The Reactor flavour of {@link AsyncJdbcClient}: the same fluent statements, named or
 * positional parameters and row mapping, with {@link Mono} and {@link Flux} terminals.
 * Every publisher is cold: the statement runs on subscription, anew for each subscriber,
 * and cancelling the subscription cancels it at the database (or removes it from the
 * engine's queue).
 * <p>
 * Inside a Spring transaction of an {@link io.asyncsql.AsyncSqlTransactionManager} on the
 * same engine ({@code @Transactional} or {@code TransactionalOperator}), every statement
 * runs on the transaction's connection, found in the subscriber's Reactor
 * {@code Context}; outside one, each runs on its own pooled connection.
 * <p>
 * Parameters are checked as they are given: mixing named and positional ones throws at
 * once. Everything found when the statement is bound or run (values that do not fit the
 * placeholders, a named parameter without a value, the database's failures as Spring's
 * {@link org.springframework.dao.DataAccessException} translations) arrives as
 * {@code onError}. Thread-safe; a {@link StatementSpec} is not.
 *
 * @since 0.1.0
 */
public final class ReactiveJdbcClient {

	private final AsyncJdbcClient client;

	/** Opens the connections of this client's own transactions. */
	private final AsyncJdbcTemplate template;

	/** The engine whose Spring transactions this client joins: the primary's. */
	private final AsyncEngine engine;

	/** The transaction's connection that {@link #client} runs on, if any. */
	private final @Nullable AsyncConnection connection;

	private ReactiveJdbcClient(AsyncJdbcClient client, AsyncJdbcTemplate template, AsyncEngine engine,
			@Nullable AsyncConnection connection) {
		this.client = client;
		this.template = template;
		this.engine = engine;
		this.connection = connection;
	}

	/**
	 * Create a client that runs through the given template: its {@code JdbcTemplate}
	 * settings, deadline and reader.
	 * @param template the template to run through
	 * @return a new client
	 */
	public static ReactiveJdbcClient create(AsyncJdbcTemplate template) {
		Assert.notNull(template, "'template' must not be null");
		return new ReactiveJdbcClient(AsyncJdbcClient.create(template), template, template.getEngine(), null);
	}

	/**
	 * Start a statement.
	 * @param sql the SQL, with {@code :name} or {@code ?} placeholders
	 * @return a spec to add parameters to and run
	 * @throws IllegalArgumentException when the SQL is null or empty
	 */
	public StatementSpec sql(String sql) {
		return new StatementSpec(sql, this.client.sql(sql));
	}

	/**
	 * Return a view whose every statement has one deadline, as
	 * {@link AsyncJdbcClient#withTimeout(Duration)}'s do; for {@link #inTransaction} the
	 * deadline covers the whole transaction.
	 * @param timeout the budget of each statement, positive
	 * @return the view
	 */
	public ReactiveJdbcClient withTimeout(Duration timeout) {
		AsyncJdbcClient timed = this.client.withTimeout(timeout);
		return new ReactiveJdbcClient(timed, this.template.withTimeout(timeout), this.engine, this.connection);
	}

	/**
	 * Return the view whose statements run as those of
	 * {@link AsyncJdbcClient#readOnly()}: on the template's reader. Inside a transaction,
	 * or without a reader, it is this client.
	 * @return the read-only view
	 */
	public ReactiveJdbcClient readOnly() {
		if (this.connection != null || this.template.isReadOnly() || this.template.getReadReplica() == null) {
			return this;
		}
		return new ReactiveJdbcClient(this.client.readOnly(), this.template.readOnly(), this.engine, null);
	}

	/**
	 * Run work in a transaction on one connection, given a client whose statements all
	 * run on it: commit when the work's publisher completes, roll back when it fails or
	 * its subscription is cancelled. Inside a Spring transaction, or on a transaction's
	 * client, this nests with a savepoint.
	 * @param <T> the element type
	 * @param work the work, given the transaction's client
	 * @return a flux of the work's elements
	 */
	public <T> Flux<T> inTransaction(Function<ReactiveJdbcClient, ? extends Publisher<T>> work) {
		Assert.notNull(work, "'work' must not be null");
		ReactiveJdbcTemplate transactions = (this.connection != null) ? ReactiveJdbcTemplate.on(this.connection)
				: new ReactiveJdbcTemplate(this.template, this.engine);
		return transactions.inTransaction((bound) -> {
			AsyncConnection on = bound.connection();
			Assert.state(on != null, "A transaction's template runs on its connection");
			return work.apply(new ReactiveJdbcClient(this.client.on(on), this.template, this.engine, on));
		});
	}

	/**
	 * Return the client a subscriber's statement runs on: the one of the Spring
	 * transaction bound to it, if any, and this one's otherwise.
	 */
	private AsyncJdbcClient client(ContextView context) {
		if (this.connection != null) {
			return this.client;
		}
		AsyncConnection joined = AsyncConnectionUtils.transactionalConnection(context, this.engine);
		return (joined != null) ? this.client.on(joined) : this.client;
	}

	private static <T> Mono<T> mono(Supplier<? extends CompletableFuture<? extends T>> future) {
		// Cancelling the mono cancels the future, which cancels the statement.
		return Mono.fromFuture(future, false);
	}

	/**
	 * A statement being described: its parameters, then a query or an update. The
	 * parameters follow the rules of {@link AsyncJdbcClient.StatementSpec}.
	 */
	public final class StatementSpec {

		private final String sql;

		/** Checks each parameter as it is given. */
		private final AsyncJdbcClient.StatementSpec probe;

		/** The parameters, replayed on each subscriber's statement. */
		private final List<Consumer<AsyncJdbcClient.StatementSpec>> parameters = new ArrayList<>();

		private StatementSpec(String sql, AsyncJdbcClient.StatementSpec probe) {
			this.sql = sql;
			this.probe = probe;
		}

		/**
		 * Add the next positional parameter, for a {@code ?} placeholder.
		 * @param value the value
		 * @return this spec
		 * @see AsyncJdbcClient.StatementSpec#param(Object)
		 */
		public StatementSpec param(@Nullable Object value) {
			return add((spec) -> spec.param(value));
		}

		/**
		 * Add positional parameters, in order, after those already given.
		 * @param values the values
		 * @return this spec
		 * @see AsyncJdbcClient.StatementSpec#params(Object...)
		 */
		public StatementSpec params(@Nullable Object... values) {
			Assert.notNull(values, "'values' must not be null");
			Object[] copy = values.clone();
			return add((spec) -> spec.params(copy));
		}

		/**
		 * Add a named parameter, for a {@code :name} placeholder.
		 * @param name the parameter's name
		 * @param value the value
		 * @return this spec
		 * @see AsyncJdbcClient.StatementSpec#param(String, Object)
		 */
		public StatementSpec param(String name, @Nullable Object value) {
			return add((spec) -> spec.param(name, value));
		}

		/**
		 * Add named parameters from a map.
		 * @param paramMap the values by parameter name
		 * @return this spec
		 * @see AsyncJdbcClient.StatementSpec#params(Map)
		 */
		public StatementSpec params(Map<String, ?> paramMap) {
			Assert.notNull(paramMap, "'paramMap' must not be null");
			Map<String, ?> copy = Map.copyOf(paramMap);
			return add((spec) -> spec.params(copy));
		}

		/**
		 * Take the named parameters from a map, bean or record, read when the statement
		 * runs.
		 * @param namedParamObject the map, bean or record
		 * @return this spec
		 * @see AsyncJdbcClient.StatementSpec#paramSource(Object)
		 */
		public StatementSpec paramSource(Object namedParamObject) {
			return add((spec) -> spec.paramSource(namedParamObject));
		}

		/**
		 * Take the named parameters from a Spring {@link SqlParameterSource}.
		 * @param namedParamSource the source
		 * @return this spec
		 * @see AsyncJdbcClient.StatementSpec#paramSource(SqlParameterSource)
		 */
		public StatementSpec paramSource(SqlParameterSource namedParamSource) {
			return add((spec) -> spec.paramSource(namedParamSource));
		}

		/**
		 * Map each row to the given class, as
		 * {@link AsyncJdbcClient.StatementSpec#query(Class)} does.
		 * @param <T> the row type
		 * @param mappedClass the class of each row
		 * @return a spec of the query's terminals
		 */
		public <T> MappedQuerySpec<T> query(Class<T> mappedClass) {
			Assert.notNull(mappedClass, "'mappedClass' must not be null");
			return new MappedQuerySpec<>(this, (spec) -> spec.query(mappedClass));
		}

		/**
		 * Map each row with the given mapper, on an engine thread.
		 * @param <T> the row type
		 * @param rowMapper the mapper
		 * @return a spec of the query's terminals
		 */
		public <T> MappedQuerySpec<T> query(RowMapper<T> rowMapper) {
			Assert.notNull(rowMapper, "'rowMapper' must not be null");
			return new MappedQuerySpec<>(this, (spec) -> spec.query(rowMapper));
		}

		/**
		 * Run the statement as an update (insert, update, delete or DDL).
		 * @return a mono of the number of rows affected
		 */
		public Mono<Integer> update() {
			return run(AsyncJdbcClient.StatementSpec::update);
		}

		/**
		 * Run the statement as an update and put the keys the database generated into the
		 * holder before the mono emits.
		 * @param generatedKeyHolder the holder of the generated keys
		 * @return a mono of the number of rows affected
		 */
		public Mono<Integer> update(KeyHolder generatedKeyHolder) {
			Assert.notNull(generatedKeyHolder, "'generatedKeyHolder' must not be null");
			return run((spec) -> spec.update(generatedKeyHolder));
		}

		/**
		 * Run the statement as an update and put the given generated columns into the
		 * holder before the mono emits.
		 * @param generatedKeyHolder the holder of the generated keys
		 * @param keyColumnNames the names of the generated columns
		 * @return a mono of the number of rows affected
		 */
		public Mono<Integer> update(KeyHolder generatedKeyHolder, String... keyColumnNames) {
			Assert.notNull(generatedKeyHolder, "'generatedKeyHolder' must not be null");
			Assert.notEmpty(keyColumnNames, "'keyColumnNames' must not be empty");
			String[] names = keyColumnNames.clone();
			return run((spec) -> spec.update(generatedKeyHolder, names));
		}

		private StatementSpec add(Consumer<AsyncJdbcClient.StatementSpec> parameter) {
			parameter.accept(this.probe);
			this.parameters.add(parameter);
			return this;
		}

		/**
		 * Describe the statement anew on the client of the subscriber's context.
		 */
		private AsyncJdbcClient.StatementSpec describe(ContextView context) {
			AsyncJdbcClient.StatementSpec spec = client(context).sql(this.sql);
			this.parameters.forEach((parameter) -> parameter.accept(spec));
			return spec;
		}

		private <T> Mono<T> run(Function<AsyncJdbcClient.StatementSpec, CompletableFuture<T>> terminal) {
			List<Consumer<AsyncJdbcClient.StatementSpec>> frozen = List.copyOf(this.parameters);
			StatementSpec snapshot = new StatementSpec(this.sql, this.probe);
			snapshot.parameters.addAll(frozen);
			return Mono.deferContextual((context) -> mono(() -> terminal.apply(snapshot.describe(context))));
		}

	}

	/**
	 * The terminals of a query whose rows are mapped to objects; each subscription runs
	 * the query anew with the parameters given before the terminal was called.
	 *
	 * @param <T> the row type
	 */
	public static final class MappedQuerySpec<T> {

		private final StatementSpec statement;

		private final Function<AsyncJdbcClient.StatementSpec, AsyncJdbcClient.MappedQuerySpec<T>> mapping;

		private MappedQuerySpec(StatementSpec statement,
				Function<AsyncJdbcClient.StatementSpec, AsyncJdbcClient.MappedQuerySpec<T>> mapping) {
			this.statement = statement;
			this.mapping = mapping;
		}

		/**
		 * Stream the rows with backpressure, fetched as the subscriber demands them.
		 * @return a flux of the mapped rows
		 * @see AsyncJdbcClient.MappedQuerySpec#stream()
		 */
		public Flux<T> all() {
			return this.statement
				.<Flux<T>>run((spec) -> CompletableFuture
					.completedFuture(JdkFlowAdapter.flowPublisherToFlux(this.mapping.apply(spec).stream())))
				.flatMapMany(Function.identity());
		}

		/**
		 * Run the query and collect every row.
		 * @return a mono of the rows, in the order the database returned them
		 */
		public Mono<List<T>> list() {
			return this.statement.run((spec) -> this.mapping.apply(spec).list());
		}

		/**
		 * Run the query for exactly one row, failing as
		 * {@link AsyncJdbcClient.MappedQuerySpec#single()} does.
		 * @return a mono of the row
		 */
		public Mono<T> single() {
			return this.statement.run((spec) -> this.mapping.apply(spec).single());
		}

		/**
		 * Run the query for at most one row, failing as
		 * {@link AsyncJdbcClient.MappedQuerySpec#optional()} does when there are more.
		 * @return a mono of the row, empty when there is none or it maps to {@code null}
		 */
		public Mono<T> optional() {
			return this.statement.run((spec) -> this.mapping.apply(spec).optional()).flatMap(Mono::justOrEmpty);
		}

	}

}
