package io.asyncsql;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.interceptor.TransactionAttribute;

/**
 * How a {@link TransactionDefinition} is honoured for {@code CompletableFuture} code with
 * no transaction to join (inside one, {@link JoinedTransactions} decides): its
 * propagation, and a {@link TransactionAttribute}'s rollback rules, by which a failure
 * the rules let commit is carried through the commit as a value and raised again
 * afterwards.
 */
final class TransactionRules {

	private TransactionRules() {
	}

	/**
	 * Run work as the definition's propagation says: a new transaction on a lane of its
	 * own, with the route's deadline or the definition's when that comes first; no
	 * transaction, each operation on its own; or none at all for {@code MANDATORY}.
	 */
	static <T> CompletableFuture<T> propagate(JdbcOperationsSupport operations, TemplateRoute route,
			TransactionDefinition definition, TransactionSetup setup,
			Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work) {
		switch (definition.getPropagationBehavior()) {
			case TransactionDefinition.PROPAGATION_MANDATORY:
				return CompletableFuture.failedFuture(new IllegalTransactionStateException(
						"No existing transaction found for transaction marked with propagation 'mandatory'; "
								+ "CompletableFuture code has none to join"));
			case TransactionDefinition.PROPAGATION_SUPPORTS:
			case TransactionDefinition.PROPAGATION_NOT_SUPPORTED:
			case TransactionDefinition.PROPAGATION_NEVER:
				return withoutTransaction(operations, work);
			default:
				Deadline deadline = Deadline.earlier(route.deadline(), setup.deadline());
				if (definition instanceof TransactionAttribute attribute) {
					return applying(attribute, (ruled) -> TransactionRunner.onOwnLane(route, deadline, setup, ruled),
							work);
				}
				return TransactionRunner.onOwnLane(route, deadline, setup, work);
		}
	}

	/**
	 * Run work in a transaction begun by {@code transaction}, committing when the work
	 * fails with an exception the attribute does not roll back for.
	 */
	static <T> CompletableFuture<T> applying(TransactionAttribute attribute,
			Function<Function<JdbcOperationsSupport, CompletionStage<Outcome<T>>>, CompletableFuture<Outcome<T>>> transaction,
			Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work) {
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
	static <O, T> CompletableFuture<T> withoutTransaction(O operations,
			Function<? super O, ? extends CompletionStage<T>> work) {
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
