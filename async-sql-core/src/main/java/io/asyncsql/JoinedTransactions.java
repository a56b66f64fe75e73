package io.asyncsql;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;

/**
 * The transaction that operations started on the current thread join: set while the body
 * of {@link AsyncJdbcTemplate#transactional} runs and while one of its transaction's
 * operations completes, so that the stages that completion runs join it too. A thread
 * binding, as Spring's {@code TransactionSynchronizationManager} is, because the body
 * reaches the database through the application's own template and client, not through a
 * handle it was given.
 */
final class JoinedTransactions {

	private static final ThreadLocal<DefaultAsyncConnection> CURRENT = new ThreadLocal<>();

	private JoinedTransactions() {
	}

	/**
	 * Bind a lane to this thread.
	 * @return the lane bound before, to give to {@link #restore}
	 */
	static @Nullable DefaultAsyncConnection bind(DefaultAsyncConnection lane) {
		DefaultAsyncConnection previous = CURRENT.get();
		CURRENT.set(lane);
		return previous;
	}

	/**
	 * Run an action with no lane bound to this thread, so that the operations it starts
	 * do not join.
	 */
	static <T> T outside(Supplier<T> action) {
		DefaultAsyncConnection previous = CURRENT.get();
		CURRENT.remove();
		try {
			return action.get();
		}
		finally {
			restore(previous);
		}
	}

	/**
	 * Run work as the definition's propagation says inside the transaction a
	 * {@link AsyncJdbcTemplate#transactional} body joined: take part, nest by savepoint,
	 * or run outside it.
	 */
	static <T> CompletableFuture<T> propagate(AsyncJdbcTemplate template, DefaultAsyncConnection joined,
			TransactionDefinition definition, TransactionSetup setup,
			Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work) {
		return switch (definition.getPropagationBehavior()) {
			case TransactionDefinition.PROPAGATION_NEVER ->
				CompletableFuture.failedFuture(new IllegalTransactionStateException(
						"Existing transaction found for transaction marked with propagation 'never'"));
			case TransactionDefinition.PROPAGATION_NOT_SUPPORTED ->
				outside(() -> TransactionRules.withoutTransaction(template, work));
			case TransactionDefinition.PROPAGATION_REQUIRES_NEW ->
				outside(() -> template.transaction(definition, work));
			case TransactionDefinition.PROPAGATION_NESTED -> joined.inTransaction(setup, work);
			// REQUIRED, SUPPORTS, MANDATORY: take part in the transaction.
			default -> TransactionRules.withoutTransaction(joined, work);
		};
	}

	static void restore(@Nullable DefaultAsyncConnection previous) {
		if (previous != null) {
			CURRENT.set(previous);
		}
		else {
			CURRENT.remove();
		}
	}

	/**
	 * Return the lane bound to this thread whose transaction still takes work, if it is
	 * one of the given engine's.
	 */
	static @Nullable DefaultAsyncConnection current(AsyncEngine engine) {
		DefaultAsyncConnection lane = CURRENT.get();
		return (lane != null && lane.getEngine() == engine && lane.isJoinable()) ? lane : null;
	}

}
