package io.asyncsql.kotlin

import io.asyncsql.AsyncConnection
import io.asyncsql.AsyncConnectionUtils
import io.asyncsql.AsyncJdbcOperations
import io.asyncsql.AsyncJdbcTemplate
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.reactor.ReactorContext
import kotlinx.coroutines.reactor.awaitSingleOrNull
import org.springframework.util.ClassUtils

/**
 * Where an operation of a template runs: on the connection of the Spring transaction that
 * an `AsyncSqlTransactionManager` of the template's engine bound to the calling
 * coroutine (a `@Transactional suspend fun`, `TransactionalOperator.executeAndAwait`),
 * as `ReactiveJdbcTemplate` does for its subscriber, and on the template otherwise.
 * Spring hands such a coroutine its transaction in a `ReactorContext`, which exists only
 * with Reactor and kotlinx-coroutines-reactor present; without them, or outside such a
 * transaction, nothing is looked up beyond one coroutine-context entry.
 */
internal suspend fun AsyncJdbcOperations.joined(): AsyncJdbcOperations =
	if (this is AsyncJdbcTemplate) transactionalConnection() ?: this else this

internal suspend fun AsyncJdbcTemplate.transactionalConnection(): AsyncConnection? =
	if (REACTOR_PRESENT) BoundTransactions.connection(this) else null

private val REACTOR_PRESENT = ClassUtils.isPresent("kotlinx.coroutines.reactor.ReactorContext",
		AsyncJdbcTemplate::class.java.classLoader) &&
		ClassUtils.isPresent("org.springframework.transaction.reactive.TransactionSynchronizationManager",
				AsyncJdbcTemplate::class.java.classLoader)

/**
 * The Reactor side, loaded only when Reactor and kotlinx-coroutines-reactor are present.
 */
private object BoundTransactions {

	suspend fun connection(template: AsyncJdbcTemplate): AsyncConnection? {
		val context = currentCoroutineContext()[ReactorContext]?.context ?: return null
		return AsyncConnectionUtils.transactionalConnection(template.engine).contextWrite(context).awaitSingleOrNull()
	}

}
