package io.asyncsql.kotlin

import io.asyncsql.AsyncJdbcClient
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.future.await
import kotlinx.coroutines.jdk9.asFlow
import org.springframework.jdbc.support.KeyHolder

// Coroutines variants of AsyncJdbcClient's terminals, named as Spring's Kotlin extensions
// of DatabaseClient name theirs. Cancelling the calling coroutine cancels the operation.

/**
 * Extension for [AsyncJdbcClient.StatementSpec.query] with a reified type:
 * `client.sql("select id, name from users").query<User>().awaitList()` maps each row to
 * a data class by its primary constructor (`first_name` fills `firstName`), or a simple
 * type (`query<Int>()`) from the single column.
 * @param T the row type
 * @return a spec of the query's terminals
 * @since 0.1.0
 */
inline fun <reified T : Any> AsyncJdbcClient.StatementSpec.query(): AsyncJdbcClient.MappedQuerySpec<T> =
	query(T::class.javaObjectType)

/**
 * Coroutines variant of [AsyncJdbcClient.MappedQuerySpec.list].
 * @return the rows, in the order the database returned them
 * @since 0.1.0
 */
suspend fun <T : Any> AsyncJdbcClient.MappedQuerySpec<T>.awaitList(): List<T> = list().await()

/**
 * Coroutines variant of [AsyncJdbcClient.MappedQuerySpec.single].
 * @return the one row
 * @throws org.springframework.dao.EmptyResultDataAccessException when there is no row
 * @throws org.springframework.dao.IncorrectResultSizeDataAccessException when there are
 * more
 * @since 0.1.0
 */
suspend fun <T : Any> AsyncJdbcClient.MappedQuerySpec<T>.awaitSingle(): T = single().await()

/**
 * Coroutines variant of [AsyncJdbcClient.MappedQuerySpec.optional].
 * @return the row, or `null` when there is none or it maps to `null`
 * @throws org.springframework.dao.IncorrectResultSizeDataAccessException when there are
 * more
 * @since 0.1.0
 */
suspend fun <T : Any> AsyncJdbcClient.MappedQuerySpec<T>.awaitSingleOrNull(): T? = optional().await().orElse(null)

/**
 * [Flow] variant of [AsyncJdbcClient.MappedQuerySpec.stream]: the query runs when the
 * flow is collected, rows are fetched as the collector takes them, and a collector that
 * stops early cancels the statement and releases the connection (see
 * [streamAsFlow][io.asyncsql.kotlin.streamAsFlow]).
 * @return a cold flow of the mapped rows
 * @since 0.1.0
 */
fun <T : Any> AsyncJdbcClient.MappedQuerySpec<T>.flow(): Flow<T> = stream().asFlow()

/**
 * Coroutines variant of [AsyncJdbcClient.StatementSpec.update].
 * @return the number of rows affected
 * @since 0.1.0
 */
suspend fun AsyncJdbcClient.StatementSpec.awaitUpdate(): Int = update().await()

/**
 * Coroutines variant of [AsyncJdbcClient.StatementSpec.update] that puts the generated
 * keys into a holder.
 * @param generatedKeyHolder the holder of the generated keys
 * @param keyColumnNames the names of the generated columns, or none for the driver's
 * choice
 * @return the number of rows affected
 * @since 0.1.0
 */
suspend fun AsyncJdbcClient.StatementSpec.awaitUpdate(generatedKeyHolder: KeyHolder,
		vararg keyColumnNames: String): Int =
	if (keyColumnNames.isEmpty()) update(generatedKeyHolder).await()
	else update(generatedKeyHolder, *keyColumnNames).await()
