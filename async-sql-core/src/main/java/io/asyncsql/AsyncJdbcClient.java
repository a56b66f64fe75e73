package io.asyncsql;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.support.KeyHolder;

/**
 * A fluent, non-blocking JDBC client shaped like Spring's
 * {@link org.springframework.jdbc.core.simple.JdbcClient}: named ({@code :name}) or
 * positional ({@code ?}) parameters, rows mapped to records, beans or simple values, each
 * terminal operation run on an {@link AsyncEngine} and answered by a
 * {@link CompletableFuture}.
 * <p>
 * A statement is described on the caller's thread and checked there before anything is
 * queued: SQL without text, values that do not fit its placeholders and a named parameter
 * without a value throw at once. Each terminal then runs Spring's {@code JdbcClient} on
 * an engine thread, so everything the database reports arrives through the future as
 * Spring's {@link org.springframework.dao.DataAccessException} translations.
 * <p>
 * Thread-safe; one instance serves a whole application. A {@link StatementSpec} is not
 * thread-safe: describe it on one thread, then run its terminals from anywhere.
 *
 * @since 0.1.0
 * @see AsyncJdbcTemplate
 */
public interface AsyncJdbcClient {

	/**
	 * Start a statement.
	 * @param sql the SQL, with {@code :name} or {@code ?} placeholders
	 * @return a spec to add parameters to and run
	 * @throws IllegalArgumentException when the SQL is null or empty
	 */
	StatementSpec sql(String sql);

	/**
	 * Return a view of this client whose every call has one deadline, starting when the
	 * terminal is called and covering queue wait and execution (see
	 * {@link AsyncJdbcTemplate#withTimeout(Duration)}): a call that waits past it fails
	 * with {@link QueueTimeoutException}, a running one is cancelled and fails with
	 * {@link StatementTimeoutException}. For {@link #inTransaction(Function)} the
	 * deadline covers the whole transaction; on a transaction's client each call gets its
	 * own deadline, or the transaction's when that comes first.
	 * @param timeout the budget of each call, positive
	 * @return the view
	 */
	AsyncJdbcClient withTimeout(Duration timeout);

	/**
	 * Return a view whose statements and transactions run as those of
	 * {@link AsyncJdbcTemplate#readOnly()} do: on the template's reader, falling back to
	 * the primary only where the reader allows it. Inside a transaction, or without a
	 * reader, the view is this client.
	 * @return the read-only view
	 */
	AsyncJdbcClient readOnly();

	/**
	 * Return a read-only view whose reads may be at most the given time behind the
	 * primary, as {@link AsyncJdbcTemplate#readOnly(Duration)} does.
	 * @param maxStaleness longest the reader may be behind, zero or positive
	 * @return the read-only view
	 */
	AsyncJdbcClient readOnly(Duration maxStaleness);

	/**
	 * Return a view whose statements run, in order, on the given connection and inside
	 * whatever transaction it holds: the connection of a Spring transaction found with
	 * {@link AsyncConnectionUtils}, or one from {@link AsyncEngine#connect()}. The view
	 * shares this client's {@code JdbcTemplate} settings and row mappers.
	 * @param connection a connection of an engine of this library
	 * @return the view
	 * @throws IllegalArgumentException when the connection is of another implementation
	 */
	AsyncJdbcClient on(AsyncConnection connection);

	/**
	 * Run work in a transaction on one connection, given a client whose statements all
	 * run on it in order: commit when the work's stage completes normally, roll back when
	 * it fails; nested (by savepoint) when called on a client that is already in a
	 * transaction. The future completes exceptionally with the work's failure after the
	 * rollback, or as {@link AsyncJdbcTemplate#inTransaction(Function)}'s does.
	 * @param <T> the result type
	 * @param work the work, given the transaction's client
	 * @return a future of the work's result
	 */
	<T> CompletableFuture<T> inTransaction(Function<AsyncJdbcClient, ? extends CompletionStage<T>> work);

	/**
	 * Create a client on an engine, with a default {@code JdbcTemplate} on the engine's
	 * data source.
	 * @param engine the engine to run on
	 * @return a new client
	 */
	static AsyncJdbcClient create(AsyncEngine engine) {
		return new DefaultAsyncJdbcClient(new AsyncJdbcTemplate(engine));
	}

	/**
	 * Create a client that shares a template's {@code JdbcTemplate} settings and, for a
	 * {@link AsyncJdbcTemplate#withTimeout(Duration) withTimeout} view, its deadline.
	 * @param template the template to run through
	 * @return a new client
	 */
	static AsyncJdbcClient create(AsyncJdbcTemplate template) {
		return new DefaultAsyncJdbcClient(template);
	}

	/**
	 * A statement being described: its parameters, then a query or an update. Use either
	 * named or positional parameters, not both; named parameters come either one by one
	 * or from one source, not both.
	 */
	interface StatementSpec {

		/**
		 * Add the next positional parameter, for a {@code ?} placeholder.
		 * @param value the value
		 * @return this spec
		 * @throws IllegalStateException when named parameters were given
		 * @throws IllegalArgumentException when the value is an {@link Iterable}, which
		 * only named parameters expand
		 */
		StatementSpec param(@Nullable Object value);

		/**
		 * Add positional parameters, in order, after those already given.
		 * @param values the values
		 * @return this spec
		 * @throws IllegalStateException when named parameters were given
		 * @throws IllegalArgumentException when a value is an {@link Iterable}
		 */
		StatementSpec params(@Nullable Object... values);

		/**
		 * Add a named parameter, for a {@code :name} placeholder; an {@link Iterable}
		 * value expands to a list, as for {@code in (:ids)}.
		 * @param name the parameter's name
		 * @param value the value
		 * @return this spec
		 * @throws IllegalStateException when positional parameters or a parameter source
		 * were given
		 */
		StatementSpec param(String name, @Nullable Object value);

		/**
		 * Add named parameters from a map.
		 * @param paramMap the values by parameter name
		 * @return this spec
		 * @throws IllegalStateException when positional parameters or a parameter source
		 * were given
		 */
		StatementSpec params(Map<String, ?> paramMap);

		/**
		 * Take the named parameters from an object: a {@link Map}, or the properties of a
		 * bean or the components of a record, read when the statement runs.
		 * @param namedParamObject the map, bean or record
		 * @return this spec
		 * @throws IllegalStateException when other parameters were given
		 */
		StatementSpec paramSource(Object namedParamObject);

		/**
		 * Take the named parameters from a Spring {@link SqlParameterSource}.
		 * @param namedParamSource the source
		 * @return this spec
		 * @throws IllegalStateException when other parameters were given
		 */
		StatementSpec paramSource(SqlParameterSource namedParamSource);

		/**
		 * Map each row to the given class: a simple type (a number, a string, a date...)
		 * from the single column, otherwise a record or bean by column name, as Spring's
		 * {@link org.springframework.jdbc.core.SimplePropertyRowMapper} does
		 * ({@code first_name} fills {@code firstName}).
		 * @param <T> the row type
		 * @param mappedClass the class of each row
		 * @return a spec of the query's terminals
		 */
		<T> MappedQuerySpec<T> query(Class<T> mappedClass);

		/**
		 * Map each row with the given mapper, on an engine thread.
		 * @param <T> the row type
		 * @param rowMapper the mapper
		 * @return a spec of the query's terminals
		 */
		<T> MappedQuerySpec<T> query(RowMapper<T> rowMapper);

		/**
		 * Run the statement as an update (insert, update, delete or DDL). The future
		 * completes exceptionally with Spring's translation of the database's failure.
		 * @return a future of the number of rows affected
		 * @throws IllegalArgumentException when the values do not fit the SQL's
		 * placeholders or a named parameter has no value
		 */
		CompletableFuture<Integer> update();

		/**
		 * Run the statement as an update and put the keys the database generated into the
		 * holder before the future completes.
		 * @param generatedKeyHolder the holder of the generated keys
		 * @return a future of the number of rows affected
		 * @throws IllegalArgumentException when the values do not fit the SQL's
		 * placeholders or a named parameter has no value
		 */
		CompletableFuture<Integer> update(KeyHolder generatedKeyHolder);

		/**
		 * Run the statement as an update and put the given generated columns into the
		 * holder before the future completes (on PostgreSQL, without names, every column
		 * of the row comes back).
		 * @param generatedKeyHolder the holder of the generated keys
		 * @param keyColumnNames the names of the generated columns
		 * @return a future of the number of rows affected
		 * @throws IllegalArgumentException when the values do not fit the SQL's
		 * placeholders or a named parameter has no value
		 */
		CompletableFuture<Integer> update(KeyHolder generatedKeyHolder, String... keyColumnNames);

	}

	/**
	 * The terminals of a query whose rows are mapped to objects. Each call runs the query
	 * anew with the parameters given so far; each throws at once, before anything is
	 * queued, {@link IllegalArgumentException} when the values do not fit the SQL's
	 * placeholders or a named parameter has no value. Each future completes exceptionally
	 * with Spring's translation of the database's failure, with what the row mapper
	 * threw, or as
	 * {@link AsyncEngine#execute(org.springframework.jdbc.core.ConnectionCallback)}'s
	 * does when the engine refuses the work.
	 *
	 * @param <T> the row type
	 */
	interface MappedQuerySpec<T> {

		/**
		 * Run the query and collect every row.
		 * @return a future of the rows, in the order the database returned them
		 */
		CompletableFuture<List<T>> list();

		/**
		 * Run the query for exactly one row. The future completes exceptionally with
		 * {@link EmptyResultDataAccessException} when there is no row,
		 * {@link IncorrectResultSizeDataAccessException} when there are more, and
		 * {@link org.springframework.dao.TypeMismatchDataAccessException} when the row
		 * maps to {@code null}.
		 * @return a future of the row
		 */
		CompletableFuture<T> single();

		/**
		 * Run the query for at most one row. The future completes exceptionally with
		 * {@link IncorrectResultSizeDataAccessException} when there are more.
		 * @return a future of the row, empty when there is none or it maps to
		 * {@code null}
		 */
		CompletableFuture<Optional<T>> optional();

		/**
		 * Stream the rows with backpressure, fetched as the subscriber demands them; the
		 * publisher behaves as {@link AsyncJdbcOperations#stream}'s (errors arrive as
		 * {@code onError}).
		 * @return a cold publisher of the mapped rows
		 */
		Flow.Publisher<T> stream();

	}

}
