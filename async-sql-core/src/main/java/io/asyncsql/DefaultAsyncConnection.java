package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.util.Assert;

/**
 * The {@link AsyncConnection} behind {@link AsyncEngine#connect()}: a lane holding one
 * pooled connection and one permit.
 * <p>
 * Operations go into a lock-free queue in submission order and one drain loop at a time
 * runs them on an engine thread (the usual serial-executor pattern), so at most one
 * thread ever uses the connection. Its transactions are {@link LaneTransactions}', whose
 * state is touched only inside lane operations, which the drain loop already serialises;
 * {@link TransactionRunner} runs work in them.
 */
final class DefaultAsyncConnection extends JdbcOperationsSupport implements AsyncConnection {

	private final AsyncEngine engine;

	private final Connection connection;

	private final Deadline deadline;

	private final Queue<EngineOperation<?>> pending = new ConcurrentLinkedQueue<>();

	private final AtomicInteger drainRequests = new AtomicInteger();

	private final AtomicBoolean closed = new AtomicBoolean();

	private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

	private final Set<Runnable> releaseActions = ConcurrentHashMap.newKeySet();

	/** This lane's transaction and savepoints; only lane work changes them. */
	final LaneTransactions transactions;

	/** The observation of this connection, transaction or stream; set by the engine. */
	OperationObservation observation = OperationObservation.NONE;

	/**
	 * The leak detector's timer of this lane, or {@code null} when leaks are not
	 * detected; set by the engine.
	 */
	LeakDetector.@Nullable Watch leakWatch;

	private volatile @Nullable EngineOperation<?> current;

	private volatile boolean abandoned;

	/**
	 * Whether operations started on a thread bound to this lane join its transaction:
	 * while a body given to {@link #joining} has not completed.
	 */
	private volatile boolean joinable;

	private @Nullable EngineOperation<Void> closeTask;

	private boolean released;

	DefaultAsyncConnection(AsyncEngine engine, Connection connection, Deadline deadline, JdbcTemplate jdbcTemplate)
			throws SQLException {
		super(jdbcTemplate);
		this.engine = engine;
		this.connection = connection;
		this.deadline = deadline;
		this.transactions = new LaneTransactions(this, connection, deadline);
	}

	@Override
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work) {
		return submit(work, Deadline.earlier(this.deadline, this.transactions.deadline()));
	}

	/**
	 * Run work with a deadline of its own, or this connection's when that comes first.
	 */
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work, Duration timeout) {
		Deadline own = Deadline.after(timeout);
		boolean connectionFirst = this.deadline.isSet() && this.deadline.expiresAt() - own.expiresAt() <= 0;
		return submit(work, connectionFirst ? this.deadline : own);
	}

	<T> CompletableFuture<T> submit(ConnectionCallback<T> work, Deadline deadline) {
		return submit(work, deadline, false);
	}

	/**
	 * Run work with the given deadline; an operation that {@code commits} sends the
	 * COMMIT of the outermost transaction and refuses to be ended once it has started.
	 */
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work, Deadline deadline, boolean commits) {
		EngineOperation<T> task = EngineOperation.create(this.engine, (t) -> runInLane(t, work), deadline, true, false);
		task.commits = commits;
		if (this.joinable) {
			task.joins = this;
		}
		this.engine.observations.forLaneWork(work, this.observation).attach(task);
		if (this.closed.get()) {
			this.engine.counters.reject(task, closedException());
			return task.future;
		}
		this.engine.counters.watch(task);
		if (deadline.isSet()) {
			task.scheduleQueueTimeout(deadline.remainingNanos());
		}
		enqueue(task);
		return task.future;
	}

	/**
	 * Return the future of a lane as the API's future of a connection: the same future,
	 * so that cancelling it still withdraws the request for the lane.
	 */
	@SuppressWarnings("unchecked")
	static CompletableFuture<AsyncConnection> asConnection(CompletableFuture<? extends AsyncConnection> lane) {
		return (CompletableFuture<AsyncConnection>) lane;
	}

	@Override
	<T> Flow.Publisher<T> publisher(String sql, RowMapper<T> rowMapper, @Nullable Object @Nullable [] args) {
		return new RowPublisher<>(this.engine, this.jdbcTemplate, sql, rowMapper, args,
				(observation) -> CompletableFuture.completedFuture(this), false);
	}

	private <T> @Nullable T runInLane(EngineOperation<T> task, ConnectionCallback<T> work) throws SQLException {
		if (this.released) {
			throw closedException();
		}
		return this.engine.binding.runBound(task, this.connection, work);
	}

	private void enqueue(EngineOperation<?> task) {
		this.pending.offer(task);
		if (this.drainRequests.getAndIncrement() == 0) {
			this.engine.workers.dispatch(this::drain);
		}
	}

	private void drain() {
		Shift shift = this.engine.workers.beginShift();
		try {
			int missed = 1;
			do {
				EngineOperation<?> task;
				while ((task = this.pending.poll()) != null) {
					if (this.abandoned && task != this.closeTask) {
						task.abandon(closedException());
						continue;
					}
					if (task.markRunning()) {
						this.current = task;
						shift.run(task);
						this.current = null;
					}
				}
				missed = this.drainRequests.addAndGet(-missed);
			}
			while (missed != 0);
		}
		finally {
			this.engine.workers.endShift(shift);
		}
	}

	@Override
	public CompletableFuture<AsyncTransaction> begin() {
		return submit((con) -> this.transactions.beginOutermost(con, TransactionSetup.DEFAULT));
	}

	@Override
	public CompletableFuture<AsyncTransaction> begin(TransactionDefinition definition) {
		TransactionSetup setup = TransactionSetup.of(definition);
		return submit((con) -> this.transactions.beginOutermost(con, setup));
	}

	@Override
	public CompletableFuture<AsyncTransaction> beginNested() {
		return submit(this.transactions::beginNested);
	}

	@Override
	public <T> TransactionFuture<T> inTransaction(Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		return inTransaction(TransactionSetup.DEFAULT, work);
	}

	/**
	 * Run work in a transaction begun with the given setup (nested by savepoint, which
	 * ignores it, when one is already active).
	 */
	<T> TransactionFuture<T> inTransaction(TransactionSetup setup,
			Function<? super DefaultAsyncConnection, ? extends CompletionStage<T>> work) {
		return TransactionRunner.onLane(this, setup, work, (transaction) -> {
		});
	}

	@Override
	<T> CompletableFuture<T> transaction(Function<? super JdbcOperationsSupport, ? extends CompletionStage<T>> work) {
		return inTransaction(TransactionSetup.DEFAULT, work);
	}

	@Override
	JdbcOperationsSupport withTimeout(Duration timeout) {
		return new TimedLane(this, timeout);
	}

	@Override
	JdbcOperationsSupport forReads(@Nullable Duration maxStaleness) {
		return this;
	}

	/**
	 * Run a body whose operations join this lane's transaction, on this thread while it
	 * runs and in the stages that completing those operations runs, until the stage it
	 * returns completes; see {@link JoinedTransactions}.
	 */
	@Override
	<T> CompletionStage<T> joining(Supplier<? extends CompletionStage<T>> body) {
		// A body that takes part in (or nests inside) the lane's transaction leaves the
		// end of joining to the outermost one.
		boolean outermost = !this.joinable;
		this.joinable = true;
		DefaultAsyncConnection previous = JoinedTransactions.bind(this);
		CompletionStage<T> stage;
		try {
			stage = body.get();
			Assert.state(stage != null, "Transactional body returned null instead of a CompletionStage");
		}
		catch (Throwable ex) {
			stage = CompletableFuture.failedFuture(ex);
		}
		finally {
			JoinedTransactions.restore(previous);
		}
		return outermost ? stage.whenComplete((value, failure) -> this.joinable = false) : stage;
	}

	boolean isJoinable() {
		return this.joinable && !this.closed.get();
	}

	AsyncEngine getEngine() {
		return this.engine;
	}

	/**
	 * Run an action once this connection is back in the pool, however it was closed,
	 * unless it is withdrawn first.
	 * @param action the action
	 * @return what withdraws it, so that a connection that serves many streams does not
	 * keep one action for each
	 */
	Runnable whenReleased(Runnable action) {
		this.releaseActions.add(action);
		if (this.closeFuture.isDone()) {
			runReleaseActions();
		}
		return () -> this.releaseActions.remove(action);
	}

	private void runReleaseActions() {
		for (Runnable action : this.releaseActions) {
			// Whoever removes it runs it: release() and a late whenReleased() may race.
			if (this.releaseActions.remove(action)) {
				action.run();
			}
		}
	}

	@Override
	public boolean isClosed() {
		return this.closed.get();
	}

	@Override
	public CompletableFuture<Void> close() {
		if (this.closed.compareAndSet(false, true)) {
			EngineOperation<Void> task = EngineOperation.create(this.engine, (t) -> {
				release();
				return null;
			}, Deadline.NONE, true, false);
			this.closeTask = task;
			// Completed once the close task has ended, not from inside it, so that a
			// stage of close() or a release action that closes the engine is not
			// waited for as running work. The connection is back in the pool by then,
			// as close() promises, unless the engine abandoned the close task itself.
			task.future.whenComplete((value, failure) -> {
				this.observation.connectionClosed(failure);
				if (failure != null) {
					this.closeFuture.completeExceptionally(failure);
				}
				else {
					this.closeFuture.complete(null);
				}
				runReleaseActions();
			});
			enqueue(task);
		}
		return this.closeFuture;
	}

	/**
	 * Cancel the running operation, fail the queued ones and close: used when a
	 * transaction is cancelled or the engine shuts down.
	 */
	void abandon() {
		this.abandoned = true;
		EngineOperation<?> running = this.current;
		if (running != null) {
			running.abandon(closedException());
		}
		close();
	}

	/**
	 * Roll back what is open and give the connection and its permit back; a failed
	 * rollback fails the close task, after the connection is back all the same.
	 */
	private void release() throws SQLException {
		if (this.released) {
			return;
		}
		this.released = true;
		try {
			this.transactions.rollBackOpen();
		}
		finally {
			if (this.transactions.mustDiscard()) {
				abortConnection();
			}
			JdbcUtils.closeConnection(this.connection);
			this.engine.lanes.released(this);
		}
	}

	/**
	 * Close the physical connection without ending its transaction, so that the pool
	 * never resets it (which would commit what is open) and discards it instead.
	 */
	private void abortConnection() {
		try {
			this.connection.abort(Runnable::run);
		}
		catch (SQLException | RuntimeException | AbstractMethodError ex) {
			// Already broken, or a driver without abort(): closed below all the same.
		}
	}

	private EngineClosedException closedException() {
		return new EngineClosedException("async-sql connection of engine '" + this.engine.getName() + "' is closed");
	}

}
