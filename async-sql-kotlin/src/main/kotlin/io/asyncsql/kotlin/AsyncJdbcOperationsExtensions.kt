package io.asyncsql.kotlin

import io.asyncsql.AsyncJdbcOperations
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.emitAll
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.jdk9.asFlow
import org.springframework.jdbc.core.ConnectionCallback
import org.springframework.jdbc.core.RowMapper

// Coroutines variants of AsyncJdbcOperations. Each suspends until the database has
// answered and throws what the Java method's future fails with; cancelling the calling
// coroutine cancels the future, so a queued operation never runs and a running statement
// is cancelled at the server. Called on an AsyncJdbcTemplate inside a Spring transaction
// of an AsyncSqlTransactionManager on the same engine (@Transactional suspend fun,
// TransactionalOperator.executeAndAwait), each runs on the transaction's connection.

/**
 * Coroutines variant of [AsyncJdbcOperations.update].
 * @param sql the SQL, with `?` placeholders
 * @param args the arguments to bind
 * @return the number of rows affected
 * @since 0.1.0
 */
suspend fun AsyncJdbcOperations.updateAndAwait(sql: String, vararg args: Any?): Int =
	joined().update(sql, *args).await()

/**
 * Coroutines variant of [AsyncJdbcOperations.updateAndReturnKey].
 * @param sql the SQL, with `?` placeholders
 * @param args the arguments to bind
 * @return the key the database generated
 * @since 0.1.0
 */
suspend fun AsyncJdbcOperations.updateAndReturnKeyAndAwait(sql: String, vararg args: Any?): Number =
	joined().updateAndReturnKey(sql, *args).await()

/**
 * Coroutines variant of [AsyncJdbcOperations.batchUpdate].
 * @param sql the SQL, with `?` placeholders
 * @param batchArgs one array of arguments per execution
 * @return the number of rows affected by each execution
 * @since 0.1.0
 */
suspend fun AsyncJdbcOperations.batchUpdateAndAwait(sql: String, batchArgs: List<Array<out Any?>>): IntArray =
	joined().batchUpdate(sql, batchArgs).await()

/**
 * Coroutines variant of [AsyncJdbcOperations.query]:
 * `queryAndAwait("select name from users where id > ?", { rs, _ -> rs.getString(1) }, 3)`.
 * @param sql the SQL, with `?` placeholders
 * @param rowMapper the mapper of each row, run on an engine thread
 * @param args the arguments to bind
 * @return the mapped rows
 * @since 0.1.0
 */
suspend fun <T : Any> AsyncJdbcOperations.queryAndAwait(sql: String, rowMapper: RowMapper<T>, vararg args: Any?): List<T> =
	joined().query(sql, rowMapper, *args).await()

/**
 * Coroutines variant of [AsyncJdbcOperations.queryForObject] with a reified type:
 * `queryForObjectAndAwait<Int>("select count(*) from users")`. Ask for a nullable type
 * when the value may be SQL `NULL`.
 * @param T the type of the value
 * @param sql the SQL, with `?` placeholders
 * @param args the arguments to bind
 * @return the value of the one row's one column
 * @throws org.springframework.dao.IncorrectResultSizeDataAccessException unless exactly
 * one row comes back
 * @throws NullPointerException when the value is SQL `NULL` and [T] is not nullable
 * @since 0.1.0
 */
suspend inline fun <reified T> AsyncJdbcOperations.queryForObjectAndAwait(sql: String, vararg args: Any?): T =
	queryForValue(sql, T::class.java, args) as T

/**
 * Run [AsyncJdbcOperations.queryForObject] for a value of any class, `null` for SQL
 * `NULL`; what the reified variant calls.
 */
@PublishedApi
@Suppress("UNCHECKED_CAST")
internal suspend fun AsyncJdbcOperations.queryForValue(sql: String, type: Class<*>, args: Array<out Any?>): Any? =
	joined().queryForObject(sql, type as Class<Any>, *args).await()

/**
 * Coroutines variant of [AsyncJdbcOperations.queryForObject] with a row mapper.
 * @param sql the SQL, with `?` placeholders
 * @param rowMapper the mapper of the row, run on an engine thread
 * @param args the arguments to bind
 * @return the mapped row
 * @throws org.springframework.dao.IncorrectResultSizeDataAccessException unless exactly
 * one row comes back
 * @since 0.1.0
 */
suspend fun <T : Any> AsyncJdbcOperations.queryForObjectAndAwait(sql: String, rowMapper: RowMapper<T>,
		vararg args: Any?): T =
	joined().queryForObject(sql, rowMapper, *args).await()

/**
 * Coroutines variant of [AsyncJdbcOperations.queryForList].
 * @param sql the SQL, with `?` placeholders
 * @param args the arguments to bind
 * @return the rows, each a map from column name to value
 * @since 0.1.0
 */
suspend fun AsyncJdbcOperations.queryForListAndAwait(sql: String, vararg args: Any?): List<Map<String, Any?>> =
	joined().queryForList(sql, *args).await()

/**
 * Coroutines variant of [AsyncJdbcOperations.execute] for a statement without arguments.
 * @param sql the SQL, typically DDL
 * @since 0.1.0
 */
suspend fun AsyncJdbcOperations.executeAndAwait(sql: String) {
	joined().execute(sql).await()
}

/**
 * Coroutines variant of [AsyncJdbcOperations.execute] with a connection callback, run on
 * an engine thread; it may block, as JDBC does, but must not suspend.
 * @param action the callback
 * @return the callback's result
 * @since 0.1.0
 */
suspend fun <T : Any> AsyncJdbcOperations.executeAndAwait(action: ConnectionCallback<T>): T =
	joined().execute(action).await()

/**
 * Coroutines variant of [AsyncJdbcOperations.hasTable].
 * @param name the table name
 * @return whether the table exists in the connection's current schema
 * @since 0.1.0
 */
suspend fun AsyncJdbcOperations.hasTableAndAwait(name: String): Boolean = joined().hasTable(name).await()

/**
 * Coroutines variant of [AsyncJdbcOperations.tableNames].
 * @return the names of the tables in the connection's current schema, sorted
 * @since 0.1.0
 */
suspend fun AsyncJdbcOperations.tableNamesAndAwait(): List<String> = joined().tableNames().await()

/**
 * [Flow] variant of [AsyncJdbcOperations.stream]: the query runs when the flow is
 * collected, and rows are fetched from the database as the collector takes them (in
 * batches of [the flow's buffer][kotlinx.coroutines.flow.buffer], 64 rows by default).
 * A collector that stops early (`take(3)`, `first()`, an exception, cancellation) cancels
 * the statement and releases the connection.
 * @param sql the SQL, with `?` placeholders
 * @param rowMapper the mapper of each row, run on an engine thread
 * @param args the arguments to bind
 * @return a cold flow of the mapped rows
 * @since 0.1.0
 */
fun <T : Any> AsyncJdbcOperations.streamAsFlow(sql: String, rowMapper: RowMapper<T>, vararg args: Any?): Flow<T> =
	flow { emitAll(joined().stream(sql, rowMapper, *args).asFlow()) }
