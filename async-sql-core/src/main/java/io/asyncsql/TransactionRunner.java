package io.asyncsql;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.Function;

import io.asyncsql.LaneTransactions.LaneTransaction;
import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Runs work in a transaction: begin with the definition's setup, commit when the work's
 * stage completes normally, roll back when it fails, and settle a
 * {@link TransactionFuture} with the real outcome. Serves {@link AsyncConnection}
 * transactions on a lane ({@link #onLane}, also how a transaction started inside a joined
 * body nests) and {@link AsyncJdbcTemplate} transactions on a lane of their own, held to
 * a deadline ({@link #onOwnLane}); the COMMIT and ROLLBACK themselves are
 * {@link LaneTransactions}', which {@link AsyncSqlTransactionManager} drives through
 * {@link AsyncConnection#begin(org.springframework.transaction.TransactionDefinition)}
 * and {@link AsyncTransaction}.
 * <p>
 * A caller's cancel ends the transaction only until its COMMIT is sent; from then on the
 * commit's outcome decides.
 */
final class TransactionRunner {

	private TransactionRunner() {
	}

	/**
	 * Run work in a transaction on the lane, begun with the given setup (nested by
	 * savepoint, which ignores it, when one is already active), handing its future to
	 * {@code beforeStart} before anything is submitted, so that a caller's cancel can
	 * never miss a transaction already under way.
	 */
	static <T> TransactionFuture<T> onLane(DefaultAsyncConnection lane, TransactionSetup setup,
			Function<? super DefaultAsyncConnection, ? extends CompletionStage<T>> work,
			Consumer<TransactionFuture<T>> beforeStart) {
		Assert.notNull(work, "'work' must not be null");
		TransactionFuture<T> result = new TransactionFuture<>(() -> abandonUnlessCommitSent(lane, null));
		beforeStart.accept(result);
		lane.submit((con) -> lane.transactions.begin(con, setup)).whenComplete((transaction, beginFailure) -> {
			if (beginFailure != null) {
				result.settleExceptionally(EngineFailures.unwrap(beginFailure));
			}
			else {
				result.abortWith(() -> abandonUnlessCommitSent(lane, transaction));
				run(lane, transaction, work, result);
			}
		});
		return result;
	}

	/**
	 * Run work in a transaction on a lane of its own that the route opens, then close the
	 * lane; the future completes once the connection is back in the pool. With a
	 * deadline, the whole transaction, from the wait for the lane on, is held to it, even
	 * when the work's stage never completes.
	 */
	static <T> TransactionFuture<T> onOwnLane(TemplateRoute route, Deadline deadline, TransactionSetup setup,
			Function<? super DefaultAsyncConnection, ? extends CompletionStage<T>> work) {
		AsyncEngine engine = route.engine;
		OperationObservation observation = engine.observations.open(OperationKind.TRANSACTION, null,
				OperationObservation.NONE);
		CompletableFuture<DefaultAsyncConnection> connecting = route.connect(deadline, observation);
		// Before the connection comes: one that comes all the same is abandoned as it
		// arrives (abortWith below).
		TransactionFuture<T> result = new TransactionFuture<>(() -> {
			connecting.cancel(false);
			return true;
		});
		observation.endWith(result);
		connecting.whenComplete((lane, connectFailure) -> {
			if (connectFailure != null) {
				result.settleExceptionally(EngineFailures.unwrap(connectFailure));
				return;
			}
			// The cancel hook goes in before the transaction starts: a cancel that came
			// as the connection arrived abandons it before it begins, and none can slip
			// between its start and the hook and be reported while it commits.
			TransactionFuture<T> transaction = onLane(lane, setup, work,
					(starting) -> result.abortWith(starting::abort));
			if (deadline.isSet()) {
				expireAtDeadline(engine, lane, deadline, result);
			}
			transaction.whenComplete((value, failure) -> lane.close().whenComplete((closed, closeFailure) -> {
				if (result.isAborted()) {
					// Ended by a cancel or the deadline, which completes the future.
					return;
				}
				if (failure != null) {
					result.settleExceptionally(EngineFailures.unwrap(failure));
				}
				else {
					result.settle(value);
				}
			}));
		});
		return result;
	}

	/**
	 * Hold the whole transaction to its deadline, even when the work's stage never
	 * completes: unless its COMMIT has been sent, roll it back (cancelling its statement)
	 * and fail once the connection is back.
	 */
	private static void expireAtDeadline(AsyncEngine engine, DefaultAsyncConnection lane, Deadline deadline,
			TransactionFuture<?> result) {
		ScheduledFuture<?> timer = engine.threads.schedule(() -> {
			if (!result.isDone() && result.abort()) {
				lane.close()
					.whenComplete((closed, closeFailure) -> result
						.settleExceptionally(engine.failures.transactionDeadlineExceeded(deadline)));
			}
		}, deadline.remainingNanos());
		if (timer != null) {
			result.whenComplete((value, failure) -> timer.cancel(false));
		}
	}

	/**
	 * End a transaction where it stands, unless its COMMIT has been sent: cancel the
	 * running operation, roll back and close.
	 * @param transaction the transaction, or {@code null} before it has begun
	 * @return {@code false} when the COMMIT has been sent, so that its outcome decides
	 */
	private static boolean abandonUnlessCommitSent(DefaultAsyncConnection lane, @Nullable LaneTransaction transaction) {
		if (transaction != null && !transaction.abort()) {
			return false;
		}
		lane.abandon();
		return true;
	}

	private static <T> void run(DefaultAsyncConnection lane, AsyncTransaction transaction,
			Function<? super DefaultAsyncConnection, ? extends CompletionStage<T>> work, TransactionFuture<T> result) {
		CompletionStage<T> stage;
		try {
			stage = work.apply(lane);
			Assert.state(stage != null, "Transaction work returned null instead of a CompletionStage");
		}
		catch (Throwable ex) {
			stage = CompletableFuture.failedFuture(ex);
		}
		stage.whenComplete((value, workFailure) -> {
			if (workFailure == null) {
				transaction.commit().whenComplete((done, commitFailure) -> {
					if (commitFailure == null) {
						result.settle(value);
					}
					else {
						// A commit that could not start (deadline) leaves the transaction
						// open.
						rollBackAndFail(transaction, EngineFailures.unwrap(commitFailure), result);
					}
				});
			}
			else {
				rollBackAndFail(transaction, EngineFailures.unwrap(workFailure), result);
			}
		});
	}

	private static void rollBackAndFail(AsyncTransaction transaction, Throwable cause, TransactionFuture<?> result) {
		CompletableFuture<Void> rollback = transaction.isActive() ? transaction.rollback()
				: CompletableFuture.completedFuture(null);
		rollback.whenComplete((rolledBack, rollbackFailure) -> {
			if (rollbackFailure != null) {
				cause.addSuppressed(EngineFailures.unwrap(rollbackFailure));
			}
			result.settleExceptionally(cause);
		});
	}

}
