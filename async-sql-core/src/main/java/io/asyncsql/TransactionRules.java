package io.asyncsql;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.transaction.interceptor.TransactionAttribute;

/**
 * A {@link TransactionAttribute}'s rollback rules for {@code CompletableFuture}
 * transactions: a failure its rules let commit is carried through the commit as a value
 * and raised again afterwards.
 */
final class TransactionRules {

	private TransactionRules() {
	}

	/**
	 * Run work in a transaction begun by {@code transaction}, committing when the work
	 * fails with an exception the attribute does not roll back for.
	 */
	static <T> CompletableFuture<T> applying(TransactionAttribute attribute,
			Function<Function<AsyncJdbcOperations, CompletionStage<Outcome<T>>>, CompletableFuture<Outcome<T>>> transaction,
			Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		CompletableFuture<Outcome<T>> outcome = transaction.apply((operations) -> {
			CompletionStage<T> stage;
			try {
				stage = work.apply(operations);
			}
			catch (RuntimeException | Error ex) {
				stage = CompletableFuture.failedFuture(ex);
			}
			if (stage == null) {
				return CompletableFuture.failedFuture(
						new IllegalStateException("Transaction work returned null instead of a CompletionStage"));
			}
			return stage.handle((value, failure) -> {
				if (failure == null) {
					return new Outcome<>(value, null);
				}
				Throwable cause = EngineFailures.unwrap(failure);
				if (attribute.rollbackOn(cause)) {
					throw (cause instanceof RuntimeException ex) ? ex
							: new java.util.concurrent.CompletionException(cause);
				}
				return new Outcome<>(null, cause);
			});
		});
		// A transaction's future, so that cancelling it still rolls the transaction back.
		TransactionFuture<T> result = new TransactionFuture<>(() -> outcome.cancel(false));
		outcome.whenComplete((done, failure) -> {
			if (outcome.isCancelled()) {
				// Only the result's cancel does that, and it completes the result.
				return;
			}
			if (failure != null) {
				result.settleExceptionally(EngineFailures.unwrap(failure));
			}
			else if (done.failure() != null) {
				result.settleExceptionally(done.failure());
			}
			else {
				result.settle(done.value());
			}
		});
		return result;
	}

	/**
	 * Run work without a transaction, each operation on its own.
	 */
	static <T> CompletableFuture<T> withoutTransaction(AsyncJdbcOperations operations,
			Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		try {
			CompletionStage<T> stage = work.apply(operations);
			if (stage == null) {
				return CompletableFuture.failedFuture(
						new IllegalStateException("Transaction work returned null instead of a CompletionStage"));
			}
			return stage.toCompletableFuture();
		}
		catch (RuntimeException | Error ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * A value, or a failure that commits.
	 */
	record Outcome<T>(@Nullable T value, @Nullable Throwable failure) {

	}

}
