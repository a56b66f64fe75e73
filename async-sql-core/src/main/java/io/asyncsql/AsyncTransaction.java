package io.asyncsql;

import java.util.concurrent.CompletableFuture;

/**
 * A transaction, or a savepoint within one, on an {@link AsyncConnection}.
 * <p>
 * {@link #commit()} and {@link #rollback()} run in order with the connection's other
 * operations. Finishing a transaction that is already finished, or one with a nested
 * transaction still active, completes exceptionally with
 * {@link org.springframework.transaction.IllegalTransactionStateException}.
 *
 * @since 0.1.0
 */
public interface AsyncTransaction {

	/**
	 * Commit the transaction, or release the savepoint of a nested one. If the server
	 * refuses the commit, the transaction is rolled back and the future fails with the
	 * commit's error; if the connection breaks while the COMMIT is under way, it fails
	 * with {@link TransactionOutcomeUnknownException}. The connection's deadline holds
	 * only until the COMMIT is sent: from then on neither a deadline nor {@code cancel}
	 * (which returns {@code false}) completes the future, only the commit's outcome.
	 * @return a future that completes when committed
	 */
	CompletableFuture<Void> commit();

	/**
	 * Roll the transaction back, or roll back to the savepoint of a nested one.
	 * @return a future that completes when rolled back
	 */
	CompletableFuture<Void> rollback();

	/**
	 * Return whether the transaction has begun and is not yet committed or rolled back.
	 * @return whether the transaction is active
	 */
	boolean isActive();

	/**
	 * Return whether this is a nested transaction, backed by a savepoint.
	 * @return whether the transaction is nested
	 */
	boolean isNested();

}
