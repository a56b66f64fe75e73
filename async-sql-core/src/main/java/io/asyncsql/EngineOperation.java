package io.asyncsql;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;

/**
 * One operation submitted to an {@link AsyncEngine}: its work, its future and its state.
 * <p>
 * State moves {@code QUEUED -> RUNNING -> DONE}, or ends early: a queued operation
 * cancelled or timed out goes to {@code DONE} and never runs; a running one whose future
 * completes first (cancellation, deadline, shutdown) goes to {@code ABORTED}, its
 * statements are cancelled at the database, and the worker only cleans up, then moves it
 * to {@code DONE}. Every transition is a compare-and-set; a caller completing the future
 * itself makes its transition first ({@link OperationFuture}): what it ends never starts.
 * A coalesced update goes {@code RUNNING -> SEALED} as its batch commits: then, as for an
 * operation that {@link #commits}, only its own outcome completes its future.
 *
 * @param <T> the result type
 */
final class EngineOperation<T> implements Runnable {

	private static final Log logger = LogFactory.getLog(EngineOperation.class);

	@FunctionalInterface
	interface Body<T> {

		@Nullable T run(EngineOperation<T> operation) throws Exception;

	}

	private static final int QUEUED = 0;

	static final int RUNNING = 1;

	private static final int ABORTED = 2;

	private static final int DONE = 3;

	static final int SEALED = 4;

	private static final VarHandle STATE;

	static {
		try {
			STATE = MethodHandles.lookup().findVarHandle(EngineOperation.class, "state", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	final OperationFuture<T> future = new OperationFuture<>(this);

	final Deadline deadline;

	/** Whether the operation runs in a lane that already holds a permit. */
	final boolean inLane;

	/** Whether a successful operation keeps its permit (it opens a lane). */
	final boolean keepsPermit;

	/** Whose parts it reaches: one reference for all keeps each operation small. */
	private final AsyncEngine engine;

	private final Body<T> body;

	/** When it was submitted: the start of its wait, in the queue or a lane. */
	final long createdAt = System.nanoTime();

	/** The observation of this operation, or of the lane's step it is. */
	OperationObservation observation = OperationObservation.NONE;

	/** The lane whose transaction stages run by completing this operation join. */
	@Nullable DefaultAsyncConnection joins;

	/** What a worker runs: this operation, possibly wrapped by a task decorator. */
	Runnable runnable = this;

	/** Whether {@link #run()} was entered; confined to the worker running it. */
	private boolean ran;

	/** Why the task decorator did not run the operation; confined like {@link #ran}. */
	private @Nullable Throwable decoratorFailure;

	@SuppressWarnings("unused") // accessed through STATE
	private volatile int state = QUEUED;

	private volatile @Nullable TrackedConnection connection;

	/** Fails the operation while it waits, at a deadline sooner than the queue's. */
	volatile @Nullable ScheduledFuture<?> queueTimer;

	/** Fails the operation at its deadline while it runs. */
	private volatile @Nullable ScheduledFuture<?> deadlineTimer;

	/** Whether the engine counts its outcome and reacts to its future ending early. */
	boolean watched;

	/**
	 * Whether the operation sends a COMMIT: once it runs, only its own outcome completes
	 * its future (a deadline, cancel or shutdown is refused: the server may commit
	 * anyway, and a failure reported for a committed transaction invites a retry that
	 * applies it twice). Written before the operation is published.
	 */
	boolean commits;

	/** The operation that inherited this one's permit; read by the worker that ran it. */
	@Nullable EngineOperation<?> successor;

	/** The update, when coalescible; set before the operation is published. */
	@Nullable CoalescibleUpdate update;

	/** Run once the operation has completed: completing the rest of its batch. */
	@Nullable Runnable afterCompleting;

	private EngineOperation(AsyncEngine engine, Body<T> body, Deadline deadline, boolean inLane, boolean keepsPermit) {
		this.engine = engine;
		this.body = body;
		this.deadline = deadline;
		this.inLane = inLane;
		this.keepsPermit = keepsPermit;
	}

	/** Create an operation, wrapped by the engine's task decorator if any. */
	static <T> EngineOperation<T> create(AsyncEngine engine, Body<T> body, Deadline deadline, boolean inLane,
			boolean keepsPermit) {
		EngineOperation<T> operation = new EngineOperation<>(engine, body, deadline, inLane, keepsPermit);
		if (engine.taskDecorator != null) {
			operation.runnable = engine.taskDecorator.decorate(operation);
		}
		return operation;
	}

	boolean markRunning() {
		return STATE.compareAndSet(this, QUEUED, RUNNING);
	}

	boolean isQueued() {
		return (int) STATE.getVolatile(this) == QUEUED;
	}

	long waitedNanos() {
		return System.nanoTime() - this.createdAt;
	}

	/**
	 * Run the operation through its decorator. A decorator that throws, or returns
	 * without running the operation, must not lose it: the operation then fails with the
	 * decorator's failure, and its permit moves on.
	 */
	void runDecorated() {
		Throwable thrown = null;
		try {
			this.runnable.run();
		}
		catch (Throwable ex) {
			thrown = ex;
		}
		if (!this.ran) {
			this.decoratorFailure = (thrown != null) ? thrown
					: new IllegalStateException("TaskDecorator returned without running the async-sql operation");
			run();
		}
		else if (thrown != null) {
			logger.warn("async-sql operation failed after it ran"
					+ ((this.runnable != this) ? " (in its TaskDecorator)" : ""), thrown);
		}
	}

	@Override
	public void run() {
		this.ran = true;
		@Nullable T value = null;
		Throwable failure = null;
		boolean succeeded = false;
		if ((int) STATE.getVolatile(this) == RUNNING) {
			EngineThreads.cancel(this.queueTimer);
			if (this.decoratorFailure != null) {
				failure = this.decoratorFailure;
			}
			else if (this.deadline.isSet() && this.deadline.remainingNanos() <= 0) {
				failure = this.engine.failures.queueTimeout(this);
			}
			else {
				this.engine.counters.started(this);
				this.observation.started();
				long startedAt = System.nanoTime();
				try {
					if (this.deadline.isSet() && !this.commits) {
						this.deadlineTimer = this.engine.threads.schedule(this::deadlineExpired,
								this.deadline.remainingNanos());
					}
					value = this.body.run(this);
					succeeded = true;
				}
				catch (Throwable ex) {
					failure = ex;
				}
				finally {
					EngineThreads.cancel(this.deadlineTimer);
					this.engine.counters.finished(System.nanoTime() - startedAt, failure);
					this.observation.finished(failure);
				}
			}
		}
		// Give up the permit before completing, so dependent stages that wait for other
		// engine work cannot hold it (measured: completing first was also slower, by a
		// quarter, at 1,024 operations in flight).
		if (!this.inLane && !(this.keepsPermit && succeeded)) {
			this.successor = this.engine.admission.release();
		}
		if (this.joins != null) {
			// Stages that completing runs join the lane's transaction.
			DefaultAsyncConnection previous = JoinedTransactions.bind(this.joins);
			try {
				complete(value, failure, succeeded);
			}
			finally {
				JoinedTransactions.restore(previous);
			}
		}
		else {
			complete(value, failure, succeeded);
		}
		Runnable batch = this.afterCompleting;
		if (batch != null) {
			this.afterCompleting = null;
			batch.run();
		}
	}

	void complete(@Nullable T value, @Nullable Throwable failure, boolean succeeded) {
		boolean completed = false;
		if (STATE.compareAndSet(this, RUNNING, DONE) || STATE.compareAndSet(this, SEALED, DONE)) {
			completed = (failure != null)
					? this.future.settleExceptionally(this.engine.failures.translate(failure, this))
					: this.future.settle(value);
		}
		else {
			// Ended early by another completion: the work is over now too.
			STATE.compareAndSet(this, ABORTED, DONE);
		}
		if (succeeded && !completed && value instanceof AsyncConnection unclaimed) {
			// Nobody will ever see this connection: give it back.
			unclaimed.close();
		}
	}

	/**
	 * Called before anyone but the engine completes the future (the caller cancelling it,
	 * completing it, a timeout of its own): a queued operation leaves the queue and never
	 * runs, a running one has its statements cancelled. Does nothing once the operation
	 * has ended.
	 * @return {@code false} when the completion must be refused: the operation
	 * {@link #commits} and has started
	 */
	boolean preempt() {
		if (!this.watched) {
			return true;
		}
		if (leaveQueue()) {
			return true;
		}
		if (this.commits) {
			return false;
		}
		if (STATE.compareAndSet(this, RUNNING, ABORTED)) {
			stopStatements();
		}
		return (int) STATE.getVolatile(this) != SEALED;
	}

	/**
	 * Return whether the operation's work is running, or its task decorator before the
	 * work has ended: from when it starts until it completes its future or, ended early
	 * by another completion, its work returns.
	 */
	boolean isUnderWay() {
		int state = (int) STATE.getVolatile(this);
		return state == RUNNING || state == ABORTED || state == SEALED;
	}

	boolean transition(int from, int to) {
		return STATE.compareAndSet(this, from, to);
	}

	/** Called once the future has completed, by whoever completed it. */
	void futureCompleted() {
		if (this.watched) {
			this.engine.counters.count(this.future);
		}
	}

	/**
	 * Count an outcome before the future shows it, or ({@code delta} -1) take that count
	 * back.
	 * @param failure what the future fails with, or {@code null} for a value
	 */
	void countOutcome(@Nullable Throwable failure, int delta) {
		if (this.watched) {
			this.engine.counters.count(failure, delta);
		}
	}

	void scheduleQueueTimeout(long delayNanos) {
		ScheduledFuture<?> scheduled = this.engine.threads.schedule(this::queueTimedOut, delayNanos);
		this.queueTimer = scheduled;
		if ((int) STATE.getVolatile(this) != QUEUED) {
			// Started or ended meanwhile.
			EngineThreads.cancel(scheduled);
		}
	}

	/** Fail the operation for waiting too long, unless it started or ended meanwhile. */
	void queueTimedOut() {
		if (leaveQueue()) {
			// Settled directly: the public completion would ask preempt(), which refuses
			// for a COMMIT, and a COMMIT that never started must fail all the same.
			this.future.settleExceptionally(this.engine.failures.queueTimeout(this));
		}
	}

	/** End it if queued, counted out of the queue; {@code false} if not. */
	private boolean leaveQueue() {
		if (!STATE.compareAndSet(this, QUEUED, DONE)) {
			return false;
		}
		EngineThreads.cancel(this.queueTimer);
		if (!this.inLane) {
			this.engine.admission.leftQueue();
		}
		return true;
	}

	void deadlineExpired() {
		if (STATE.compareAndSet(this, RUNNING, ABORTED)) {
			// Cancel first, off this thread, so that a stage of the failed future
			// that waits for the engine (close(), say) waits for a statement that is
			// already being stopped. The failure does not wait for the cancel, which
			// can hang on a stalled network.
			stopStatements();
			this.future.completeExceptionally(this.engine.failures.deadlineExceeded(this));
		}
	}

	/**
	 * Fail an operation that has not started, or cancel a running one, because the engine
	 * or lane is shutting down; a running operation that {@link #commits} is left to
	 * finish.
	 * @param reason the failure for an operation that has not started
	 */
	void abandon(DataAccessException reason) {
		if (leaveQueue()) {
			this.future.settleExceptionally(reason);
		}
		else if (!this.commits && STATE.compareAndSet(this, RUNNING, ABORTED)) {
			stopStatements();
			this.future.cancel(false);
		}
	}

	/** Record the connection its work uses ({@code null}: none), for aborts. */
	void attach(@Nullable TrackedConnection tracked) {
		this.connection = tracked;
		if (tracked != null && (int) STATE.getVolatile(this) == ABORTED) {
			tracked.cancel();
		}
	}

	/** Return whether the work still holds its connection (and so its statements). */
	boolean isAttached() {
		return this.connection != null;
	}

	/** Cancel its statements, off this thread, until its work lets go of them. */
	private void stopStatements() {
		this.engine.threads.cancelUntilStopped(this::cancelStatements, this::isAttached);
	}

	private void cancelStatements() {
		TrackedConnection tracked = this.connection;
		if (tracked != null) {
			tracked.cancel();
		}
	}

}
