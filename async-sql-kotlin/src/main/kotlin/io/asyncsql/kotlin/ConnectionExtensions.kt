package io.asyncsql.kotlin

import io.asyncsql.AsyncConnection
import io.asyncsql.AsyncEngine
import io.asyncsql.AsyncJdbcTemplate
import io.asyncsql.AsyncTransaction
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import org.springframework.jdbc.core.ConnectionCallback

/**
 * Coroutines variant of [AsyncEngine.execute]: run a callback with a pooled connection on
 * an engine thread.
 * @param action the callback; it may block, as JDBC does, but must not suspend
 * @return the callback's result
 * @since 0.1.0
 */
suspend fun <T : Any> AsyncEngine.executeAndAwait(action: ConnectionCallback<T>): T = execute(action).await()

/**
 * Coroutines variant of [AsyncJdbcTemplate.connect]; close the connection when done, or
 * use [useAndAwait].
 * @return a connection of its own, with this template's settings
 * @since 0.1.0
 */
suspend fun AsyncJdbcTemplate.connectAndAwait(): AsyncConnection = connect().await()

/**
 * Run [block] with a connection of its own and close the connection afterwards, whether
 * the block returns, throws or is cancelled: `template.useAndAwait { connection -> ... }`.
 * @param block the work, given the connection
 * @return what the block returned
 * @since 0.1.0
 */
suspend fun <T> AsyncJdbcTemplate.useAndAwait(block: suspend (AsyncConnection) -> T): T {
	val connection = connectAndAwait()
	try {
		return block(connection)
	}
	finally {
		withContext(NonCancellable) {
			connection.closeAndAwait()
		}
	}
}

/**
 * Coroutines variant of [AsyncConnection.close]: roll back an open transaction and return
 * the connection to the pool.
 * @since 0.1.0
 */
suspend fun AsyncConnection.closeAndAwait() {
	close().await()
}

/**
 * Coroutines variant of [AsyncConnection.begin].
 * @return the transaction
 * @since 0.1.0
 */
suspend fun AsyncConnection.beginAndAwait(): AsyncTransaction = begin().await()

/**
 * Coroutines variant of [AsyncConnection.beginNested].
 * @return the nested transaction, backed by a savepoint
 * @since 0.1.0
 */
suspend fun AsyncConnection.beginNestedAndAwait(): AsyncTransaction = beginNested().await()

/**
 * Coroutines variant of [AsyncTransaction.commit].
 * @since 0.1.0
 */
suspend fun AsyncTransaction.commitAndAwait() {
	commit().await()
}

/**
 * Coroutines variant of [AsyncTransaction.rollback].
 * @since 0.1.0
 */
suspend fun AsyncTransaction.rollbackAndAwait() {
	rollback().await()
}
