package io.asyncsql;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The future of an {@link EngineOperation}. Whoever else completes it (the caller
 * cancelling or completing it, a timeout of its own) preempts the operation first, so a
 * queued operation never starts once its future is done. Every outcome is counted before
 * the future shows it, so whoever sees the future done finds it in
 * {@link AsyncEngine#stats()}; only the {@code obtrude} methods count afterwards. An
 * operation that commits refuses to be completed by others once it has started:
 * {@code cancel}, {@code complete} and {@code completeExceptionally} then return
 * {@code false} and leave the future to the commit's outcome.
 * <p>
 * A subclass rather than a {@code whenComplete} stage: a stage costs every operation a
 * future, a completion and a lambda, which a queued operation keeps alive while it waits,
 * and it would run only after the caller's own stages, leaving a cancelled operation in
 * the queue meanwhile. Every public method that completes this future goes through the
 * operation; dependent stages are plain futures.
 *
 * @param <T> the result type
 */
final class OperationFuture<T> extends CompletableFuture<T> {

	private static final VarHandle REPORTED;

	/** What {@link #cancel} completes with, for counting it before it does. */
	private static final CancellationException CANCELLATION = new CancellationException();

	static {
		try {
			REPORTED = MethodHandles.lookup().findVarHandle(OperationFuture.class, "reported", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final EngineOperation<T> operation;

	@SuppressWarnings("unused") // accessed through REPORTED
	private volatile boolean reported;

	OperationFuture(EngineOperation<T> operation) {
		this.operation = operation;
	}

	@Override
	public boolean complete(@Nullable T value) {
		return this.operation.preempt() && settle(value);
	}

	/**
	 * Complete with the operation's own result, the operation having ended already.
	 */
	boolean settle(@Nullable T value) {
		boolean counted = countAhead(null);
		boolean completed = super.complete(value);
		recountIfPreempted(counted, completed, null);
		return completed;
	}

	@Override
	public boolean completeExceptionally(Throwable ex) {
		return this.operation.preempt() && settleExceptionally(ex);
	}

	/**
	 * Complete with the operation's own failure, the operation having ended already.
	 */
	boolean settleExceptionally(Throwable ex) {
		boolean counted = countAhead(ex);
		boolean completed = super.completeExceptionally(ex);
		recountIfPreempted(counted, completed, ex);
		return completed;
	}

	@Override
	public boolean cancel(boolean mayInterruptIfRunning) {
		if (!this.operation.preempt()) {
			return false;
		}
		boolean counted = countAhead(CANCELLATION);
		boolean cancelled = super.cancel(mayInterruptIfRunning);
		recountIfPreempted(counted, cancelled, CANCELLATION);
		return cancelled;
	}

	@Override
	public void obtrudeValue(@Nullable T value) {
		this.operation.preempt();
		super.obtrudeValue(value);
		report();
	}

	@Override
	public void obtrudeException(Throwable ex) {
		this.operation.preempt();
		super.obtrudeException(ex);
		report();
	}

	@Override
	public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
		// The inherited version completes through a package-private path that bypasses
		// complete(), so the operation would never hear of it.
		Objects.requireNonNull(supplier, "supplier");
		Objects.requireNonNull(executor, "executor");
		executor.execute(() -> {
			try {
				complete(supplier.get());
			}
			catch (Throwable ex) {
				completeExceptionally(ex);
			}
		});
		return this;
	}

	@Override
	public <U> CompletableFuture<U> newIncompleteFuture() {
		return new CompletableFuture<>();
	}

	private void report() {
		if (isDone() && REPORTED.compareAndSet(this, false, true)) {
			this.operation.futureCompleted();
		}
	}

	/**
	 * Count the outcome this future is about to complete with, unless another completion
	 * is counted already.
	 */
	private boolean countAhead(@Nullable Throwable failure) {
		if (REPORTED.compareAndSet(this, false, true)) {
			this.operation.countOutcome(failure, 1);
			return true;
		}
		return false;
	}

	private void recountIfPreempted(boolean counted, boolean completed, @Nullable Throwable failure) {
		if (counted && !completed) {
			// Someone else completed the future first: count their outcome instead.
			this.operation.countOutcome(failure, -1);
			this.operation.futureCompleted();
		}
	}

}
