package io.asyncsql;

import reactor.core.publisher.Mono;

import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Finds the {@link AsyncConnection} of the transaction an
 * {@link AsyncSqlTransactionManager} bound to the current subscriber, as Spring's
 * {@code ConnectionFactoryUtils} does for R2DBC. Operations that should join a Spring
 * transaction look here and run on their own otherwise.
 *
 * @since 0.1.0
 */
public final class AsyncConnectionUtils {

	private AsyncConnectionUtils() {
	}

	/**
	 * Return the connection of the transaction on the given engine that is bound to the
	 * subscriber's Reactor {@code Context}.
	 * @param engine the engine the transaction runs on
	 * @return a mono of the connection, empty when no transaction of that engine is
	 * active for the subscriber (none at all, or one suspended by {@code NOT_SUPPORTED})
	 */
	public static Mono<AsyncConnection> transactionalConnection(AsyncEngine engine) {
		Assert.notNull(engine, "'engine' must not be null");
		return TransactionSynchronizationManager.forCurrentTransaction()
			.mapNotNull((synchronization) -> synchronization.getResource(engine))
			.ofType(AsyncSqlTransactionManager.TransactionalLane.class)
			.filter(AsyncSqlTransactionManager.TransactionalLane::isActive)
			.map((lane) -> lane.connection)
			.onErrorResume(NoTransactionException.class, (ex) -> Mono.empty());
	}

}
