package io.asyncsql.kotlin

import io.asyncsql.AsyncConnection
import io.asyncsql.AsyncJdbcClient
import io.asyncsql.AsyncJdbcOperations
import io.asyncsql.AsyncJdbcTemplate
import java.util.concurrent.CompletableFuture
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.future.await
import kotlinx.coroutines.future.future
import kotlinx.coroutines.supervisorScope

// Suspending transaction blocks over the Java inTransaction methods, which stay the one
// place that decides commit, rollback and release. The block runs as a child coroutine of
// the caller, in the caller's context: it may call any suspending operation, and
// cancelling the caller cancels it and the transaction. The scope is a supervisor so
// that a failing block does not cancel the transaction's future before the rollback has
// run; its failure reaches the caller through that future, after the rollback.

/**
 * Coroutines variant of [AsyncJdbcTemplate.inTransaction]: run [block] in a transaction on
 * one connection, commit when it returns, roll back when it throws (and rethrow) or when
 * the calling coroutine is cancelled. When this returns or throws, the connection is
 * back in the pool; when cancelled, it goes back once the running statement is cancelled.
 * ```
 * val id = template.inTransactionAndAwait { tx ->
 *     tx.updateAndAwait("insert into audit (note) values (?)", "renamed")
 *     tx.updateAndAwait("update users set name = ? where id = ?", "Daniel Rydell", 3)
 * }
 * ```
 * Run statements of the transaction through the block's argument, never through the
 * template, which would take another connection. Inside a Spring transaction of an
 * `AsyncSqlTransactionManager` on the same engine, the block is nested in it, by a
 * savepoint.
 * @param block the work, given the transaction's operations
 * @return what the block returned
 * @since 0.1.0
 */
suspend fun <T> AsyncJdbcTemplate.inTransactionAndAwait(block: suspend CoroutineScope.(AsyncJdbcOperations) -> T): T {
	val joined = transactionalConnection()
	if (joined != null) {
		return joined.inTransactionAndAwait(block)
	}
	return supervisorScope { inTransaction { tx -> work { block(tx) } }.await().value }
}

/**
 * Coroutines variant of [AsyncConnection.inTransaction]: run [block] in a transaction on
 * this connection (nested by savepoint when one is active), commit when it returns, roll
 * back when it throws (and rethrow). Cancelling the calling coroutine cancels the running
 * statement, rolls back and closes this connection.
 * @param block the work, given this connection's operations
 * @return what the block returned
 * @since 0.1.0
 */
suspend fun <T> AsyncConnection.inTransactionAndAwait(block: suspend CoroutineScope.(AsyncJdbcOperations) -> T): T =
	supervisorScope { inTransaction { tx -> work { block(tx) } }.await().value }

/**
 * Coroutines variant of [AsyncJdbcClient.inTransaction]: run [block] in a transaction on
 * one connection (nested by savepoint on a transaction's client), commit when it returns,
 * roll back when it throws (and rethrow) or when the calling coroutine is cancelled.
 * @param block the work, given the transaction's client
 * @return what the block returned
 * @since 0.1.0
 */
suspend fun <T> AsyncJdbcClient.inTransactionAndAwait(block: suspend CoroutineScope.(AsyncJdbcClient) -> T): T =
	supervisorScope { inTransaction { tx -> work { block(tx) } }.await().value }

/**
 * Start the transaction's work as a child of the supervisor scope; its future is what
 * the Java transaction waits for.
 */
private fun <T> CoroutineScope.work(block: suspend CoroutineScope.() -> T): CompletableFuture<Outcome<T>> =
	future { Outcome(block()) }

/**
 * What a block returned, `null` included, which the Java transactions' results cannot be.
 */
private class Outcome<T>(val value: T)
