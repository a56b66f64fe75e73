package io.asyncsql;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.springframework.transaction.TransactionDefinition;

/**
 * One pooled connection and one engine permit, held until {@link #close()}: a lane whose
 * operations run strictly in submission order, even when submitted from many threads.
 * Obtained from {@link AsyncEngine#connect()} or {@link AsyncJdbcTemplate#connect()}.
 * <p>
 * After {@link #close()}, every operation completes exceptionally with
 * {@link EngineClosedException}. Hold a connection only as long as needed: it keeps a
 * permit from other work.
 *
 * @since 0.1.0
 */
public interface AsyncConnection extends AsyncJdbcOperations {

	/**
	 * Begin a transaction. The future fails with
	 * {@link org.springframework.transaction.IllegalTransactionStateException} when one
	 * is already active.
	 * @return a future of the transaction
	 */
	CompletableFuture<AsyncTransaction> begin();

	/**
	 * Begin a transaction as a {@link TransactionDefinition} describes it: its isolation
	 * level and read-only mode hold for the transaction and the connection gets its
	 * previous ones back when it ends; its timeout becomes one deadline, starting now,
	 * for every operation submitted while the transaction is open (queue wait and
	 * execution, as {@link AsyncJdbcTemplate#withTimeout} does for a call). Propagation
	 * is the caller's business (see {@link AsyncSqlTransactionManager}) and is ignored
	 * here. The future fails with
	 * {@link org.springframework.transaction.IllegalTransactionStateException} when a
	 * transaction is already active.
	 * @param definition the transaction's definition
	 * @return a future of the transaction
	 * @throws org.springframework.transaction.InvalidIsolationLevelException for an
	 * unknown isolation level
	 * @throws org.springframework.transaction.InvalidTimeoutException for a negative
	 * timeout
	 */
	CompletableFuture<AsyncTransaction> begin(TransactionDefinition definition);

	/**
	 * Begin a nested transaction backed by a savepoint. The future fails with
	 * {@link org.springframework.transaction.IllegalTransactionStateException} when no
	 * transaction is active.
	 * @return a future of the nested transaction
	 */
	CompletableFuture<AsyncTransaction> beginNested();

	/**
	 * Run work in a transaction (nested by savepoint when one is already active): commit
	 * when the work's stage completes normally, roll back when it fails. The future
	 * completes with the transaction's real outcome, as
	 * {@link AsyncJdbcTemplate#inTransaction(Function)}'s does. Cancelling it before the
	 * COMMIT is sent cancels the running statement, rolls back and closes this
	 * connection; once the COMMIT has been sent, {@code cancel} returns {@code false}.
	 * @param <T> the result type
	 * @param work the work, given this connection's operations
	 * @return a future of the work's result
	 */
	<T> CompletableFuture<T> inTransaction(Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work);

	/**
	 * Return whether {@link #close()} was called.
	 * @return whether this connection refuses new operations
	 */
	boolean isClosed();

	/**
	 * Close after the operations already submitted: roll back an open transaction,
	 * restore the connection's auto-commit mode and return it to the pool.
	 * @return a future that completes when the connection is back in the pool
	 */
	CompletableFuture<Void> close();

}
