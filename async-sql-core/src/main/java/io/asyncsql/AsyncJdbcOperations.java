package io.asyncsql;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.RowMapper;

/**
 * Asynchronous JDBC operations, shaped like Spring's
 * {@link org.springframework.jdbc.core.JdbcOperations}: each call returns at once and its
 * future completes when the database has answered.
 * <p>
 * Arguments are checked at once: null or empty SQL, or a number of arguments that does
 * not match the SQL's {@code ?} placeholders, throws {@link IllegalArgumentException}.
 * Everything else arrives through the future: it completes exceptionally with a
 * {@link org.springframework.dao.DataAccessException}, the translation of the driver's
 * {@link java.sql.SQLException} (for example
 * {@link org.springframework.jdbc.BadSqlGrammarException} or
 * {@link org.springframework.dao.DuplicateKeyException}), or one of
 * {@link EngineSaturatedException}, {@link QueueTimeoutException},
 * {@link StatementTimeoutException} and {@link EngineClosedException}. Argument values
 * are always bound as statement parameters, never written into the SQL.
 *
 * @since 0.1.0
 * @see AsyncJdbcTemplate
 * @see AsyncConnection
 */
public interface AsyncJdbcOperations {

	/**
	 * Run an insert, update or delete.
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param args the arguments to bind
	 * @return a future of the number of rows affected
	 */
	CompletableFuture<Integer> update(String sql, @Nullable Object... args);

	/**
	 * Run an insert and return the key the database generated. Where the driver returns
	 * several generated columns (PostgreSQL returns the whole row), the column named
	 * {@code id} is used, else the first numeric one.
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param args the arguments to bind
	 * @return a future of the generated key; it fails with
	 * {@link org.springframework.dao.DataRetrievalFailureException} when no key was
	 * generated
	 */
	CompletableFuture<Number> updateAndReturnKey(String sql, @Nullable Object... args);

	/**
	 * Run one statement for each set of arguments, as a JDBC batch.
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param batchArgs one array of arguments per execution
	 * @return a future of the number of rows affected by each execution
	 */
	CompletableFuture<int[]> batchUpdate(String sql, List<@Nullable Object[]> batchArgs);

	/**
	 * Run a query and map each row.
	 * @param <T> the element type
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param rowMapper the mapper of each row
	 * @param args the arguments to bind
	 * @return a future of the mapped rows
	 */
	<T> CompletableFuture<List<T>> query(String sql, RowMapper<T> rowMapper, @Nullable Object... args);

	/**
	 * Stream the rows of a query, fetched from the database as the subscriber demands
	 * them ({@link java.sql.Statement#setFetchSize(int) fetch size}: the JdbcTemplate's,
	 * else 1000), never more than requested. The publisher is cold: each subscriber runs
	 * the query anew, from its first request.
	 * <p>
	 * While subscribed, the stream holds one connection and one engine permit (on an
	 * {@link AsyncConnection}, that connection; operations submitted meanwhile run
	 * between its fetches), but no thread while demand is zero. Cancelling closes the
	 * result set and statement and releases the connection; errors arrive as
	 * {@code onError} with a {@link org.springframework.dao.DataAccessException}. A
	 * stream whose subscriber requests nothing for longer than the engine's stream idle
	 * timeout, or that outlives its maximum lifetime, is cancelled with
	 * {@link StreamTimeoutException}. On PostgreSQL, rows come from a server-side cursor:
	 * a stream on its own connection runs in a transaction of its own; on an
	 * {@link AsyncConnection}, stream inside {@link AsyncConnection#begin()} to get one.
	 * @param <T> the row type
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param rowMapper the mapper of each row
	 * @param args the arguments to bind
	 * @return a publisher of the mapped rows
	 */
	<T> Flow.Publisher<T> stream(String sql, RowMapper<T> rowMapper, @Nullable Object... args);

	/**
	 * Run a query that returns one row of one column.
	 * @param <T> the result type
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param requiredType the type of the value
	 * @param args the arguments to bind
	 * @return a future of the value ({@code null} for SQL {@code NULL}); it fails with
	 * {@link org.springframework.dao.IncorrectResultSizeDataAccessException} unless
	 * exactly one row comes back
	 */
	<T> CompletableFuture<T> queryForObject(String sql, Class<T> requiredType, @Nullable Object... args);

	/**
	 * Run a query that returns one row and map it.
	 * @param <T> the result type
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param rowMapper the mapper of the row
	 * @param args the arguments to bind
	 * @return a future of the mapped row; it fails with
	 * {@link org.springframework.dao.IncorrectResultSizeDataAccessException} unless
	 * exactly one row comes back
	 */
	<T> CompletableFuture<T> queryForObject(String sql, RowMapper<T> rowMapper, @Nullable Object... args);

	/**
	 * Run a query and return each row as a map from column name to value.
	 * @param sql the SQL, with {@code ?} placeholders
	 * @param args the arguments to bind
	 * @return a future of the rows
	 */
	CompletableFuture<List<Map<String, Object>>> queryForList(String sql, @Nullable Object... args);

	/**
	 * Run a statement without arguments, typically DDL.
	 * @param sql the SQL
	 * @return a future that completes when the statement has run
	 */
	CompletableFuture<Void> execute(String sql);

	/**
	 * Run a callback with the connection, on an engine thread.
	 * @param <T> the result type
	 * @param action the callback
	 * @return a future of the callback's result
	 */
	<T> CompletableFuture<T> execute(ConnectionCallback<T> action);

	/**
	 * Return whether a table of this name exists in the connection's current schema,
	 * trying the name as given and in the database's identifier case.
	 * @param name the table name
	 * @return a future of whether the table exists
	 */
	CompletableFuture<Boolean> hasTable(String name);

	/**
	 * Return the names of the tables in the connection's current schema, sorted.
	 * @return a future of the table names, as the database stores them
	 */
	CompletableFuture<List<String>> tableNames();

}
