package io.asyncsql;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * The future of a transaction, completed by its outcome. Whoever else completes it
 * ({@code cancel}, {@code complete}, {@code completeExceptionally}, {@code orTimeout})
 * first ends the transaction, rolling it back; once its COMMIT has been sent that is
 * refused, the call returns {@code false}, and the commit's own outcome completes the
 * future. So the future never reports a failure for a transaction that committed, nor
 * success for one that did not.
 *
 * @param <T> the result type
 */
final class TransactionFuture<T> extends CompletableFuture<T> {

	/**
	 * Ends the transaction where it stands; returns {@code false} once its COMMIT has
	 * been sent. Guarded by {@code this}.
	 */
	private BooleanSupplier abort;

	/** Guarded by {@code this}. */
	private boolean aborted;

	/**
	 * Create the future of a transaction whose first step can be ended by the given
	 * action.
	 */
	TransactionFuture(BooleanSupplier abort) {
		this.abort = abort;
	}

	/**
	 * Replace the action that ends the transaction, as it moves on to a step that is
	 * ended differently; run it at once when the transaction was ended already.
	 */
	void abortWith(BooleanSupplier next) {
		boolean abortNow;
		synchronized (this) {
			abortNow = this.aborted;
			this.abort = next;
		}
		if (abortNow) {
			next.getAsBoolean();
		}
	}

	/**
	 * End the transaction, rolling it back, unless its COMMIT has been sent.
	 * @return whether the transaction is ended (now or before)
	 */
	boolean abort() {
		synchronized (this) {
			if (!this.aborted) {
				this.aborted = this.abort.getAsBoolean();
			}
			return this.aborted;
		}
	}

	/**
	 * Return whether someone other than the transaction's outcome ended it.
	 */
	synchronized boolean isAborted() {
		return this.aborted;
	}

	@Override
	public boolean cancel(boolean mayInterruptIfRunning) {
		return (isDone() || abort()) && super.cancel(mayInterruptIfRunning);
	}

	@Override
	public boolean complete(@Nullable T value) {
		return !isDone() && abort() && super.complete(value);
	}

	@Override
	public boolean completeExceptionally(Throwable ex) {
		return !isDone() && abort() && super.completeExceptionally(ex);
	}

	/**
	 * Complete with the transaction's result.
	 */
	void settle(@Nullable T value) {
		super.complete(value);
	}

	/**
	 * Complete with the transaction's failure.
	 */
	void settleExceptionally(Throwable failure) {
		super.completeExceptionally(failure);
	}

	@Override
	public <U> CompletableFuture<U> newIncompleteFuture() {
		return new CompletableFuture<>();
	}

}
