package io.asyncsql;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.reactive.TransactionContext;
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
	 * @return a mono of the connection, empty when no transaction of that engine is bound
	 * for the subscriber (none at all, or one suspended by {@code NOT_SUPPORTED}); it
	 * signals {@link IllegalTransactionStateException} when the bound one has already
	 * ended
	 */
	public static Mono<AsyncConnection> transactionalConnection(AsyncEngine engine) {
		Assert.notNull(engine, "'engine' must not be null");
		return Mono.deferContextual((context) -> Mono.justOrEmpty(transactionalConnection(context, engine)));
	}

	/**
	 * Return the connection of the transaction on the given engine that is bound in the
	 * given Reactor {@code Context}, for code that already holds the subscriber's context
	 * ({@code Flux.deferContextual}, a coroutine's {@code ReactorContext}).
	 * @param context the subscriber's context
	 * @param engine the engine the transaction runs on
	 * @return the connection, or {@code null} when no transaction of that engine is bound
	 * in the context
	 * @throws IllegalTransactionStateException when the transaction bound in the context
	 * has already ended, so that a late statement fails instead of running outside it
	 */
	public static @Nullable AsyncConnection transactionalConnection(ContextView context, AsyncEngine engine) {
		Assert.notNull(context, "'context' must not be null");
		Assert.notNull(engine, "'engine' must not be null");
		TransactionContext transaction = context.getOrDefault(TransactionContext.class, null);
		if (transaction == null) {
			return null;
		}
		Object resource = new TransactionSynchronizationManager(transaction).getResource(engine);
		if (!(resource instanceof AsyncSqlTransactionManager.TransactionalLane lane)) {
			return null;
		}
		if (!lane.isActive()) {
			// Never on a connection of its own: that would commit, alone, a statement of
			// a
			// transaction that was rolled back (a subscriber cancelled as a step ended).
			throw new IllegalTransactionStateException("The async-sql transaction bound to this subscriber on engine '"
					+ engine.getName() + "' has already ended (committed, rolled back or cancelled); a statement "
					+ "started in it after that does not run");
		}
		return lane.connection;
	}

}
