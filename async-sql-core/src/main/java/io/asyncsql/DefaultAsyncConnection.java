package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.util.Assert;

/**
 * The {@link AsyncConnection} behind {@link AsyncEngine#connect()}: a lane holding one
 * pooled connection and one permit.
 * <p>
 * Operations go into a lock-free queue in submission order and one drain loop at a time
 * runs them on an engine thread (the usual serial-executor pattern), so at most one
 * thread ever uses the connection. Transaction state is touched only inside lane
 * operations, which the drain loop already serialises.
 */
final class DefaultAsyncConnection extends JdbcOperationsSupport implements AsyncConnection {

	private final AsyncEngine engine;

	private final Connection connection;

	private final Deadline deadline;

	private final boolean initialAutoCommit;

	private final Queue<EngineOperation<?>> pending = new ConcurrentLinkedQueue<>();

	private final AtomicInteger drainRequests = new AtomicInteger();

	private final AtomicBoolean closed = new AtomicBoolean();

	private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

	private final Set<Runnable> releaseActions = ConcurrentHashMap.newKeySet();

	/**
	 * Transactions from outermost (last) to innermost (first); only lane work uses it.
	 */
	private final Deque<LaneTransaction> transactions = new ArrayDeque<>();

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

	/**
	 * Whether the connection's transaction state is unknown (a COMMIT or ROLLBACK
	 * failed), so that it must be discarded rather than given back; only lane work uses
	 * it.
	 */
	private boolean discard;

	/**
	 * The deadline of the open transaction's definition, if any; see
	 * {@link #begin(TransactionDefinition)}.
	 */
	private volatile Deadline transactionDeadline = Deadline.NONE;

	/**
	 * What puts back the connection state the open transaction's definition changed; only
	 * lane work uses it.
	 */
	private TransactionSetup.Restore restore = TransactionSetup.Restore.NOTHING;

	DefaultAsyncConnection(AsyncEngine engine, Connection connection, Deadline deadline, JdbcTemplate jdbcTemplate)
			throws SQLException {
		super(jdbcTemplate);
		this.engine = engine;
		this.connection = connection;
		this.deadline = deadline;
		this.initialAutoCommit = connection.getAutoCommit();
	}

	@Override
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work) {
		return submit(work, Deadline.earlier(this.deadline, this.transactionDeadline));
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

	private <T> CompletableFuture<T> submit(ConnectionCallback<T> work, Deadline deadline, boolean commits) {
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
		return submit((con) -> {
			if (!this.transactions.isEmpty()) {
				throw new IllegalTransactionStateException(
						"A transaction is already active on this connection; use beginNested() for a savepoint");
			}
			return beginTransaction(con);
		});
	}

	@Override
	public CompletableFuture<AsyncTransaction> begin(TransactionDefinition definition) {
		TransactionSetup setup = TransactionSetup.of(definition);
		return submit((con) -> {
			if (!this.transactions.isEmpty()) {
				throw new IllegalTransactionStateException(
						"A transaction is already active on this connection; use beginNested() for a savepoint");
			}
			return beginTransaction(con, setup);
		});
	}

	@Override
	public CompletableFuture<AsyncTransaction> beginNested() {
		return submit((con) -> {
			if (this.transactions.isEmpty()) {
				throw new IllegalTransactionStateException(
						"No transaction is active on this connection; call begin() before beginNested()");
			}
			return beginTransaction(con);
		});
	}

	private AsyncTransaction beginTransaction(Connection con) throws SQLException {
		return beginTransaction(con, TransactionSetup.DEFAULT);
	}

	private AsyncTransaction beginTransaction(Connection con, TransactionSetup setup) throws SQLException {
		LaneTransaction transaction;
		if (this.transactions.isEmpty()) {
			con.setAutoCommit(false);
			try {
				this.restore = setup.apply(con);
			}
			catch (SQLException | RuntimeException ex) {
				restoreAutoCommit();
				throw ex;
			}
			this.transactionDeadline = setup.deadline();
			transaction = new LaneTransaction(null);
		}
		else {
			transaction = new LaneTransaction(con.setSavepoint());
		}
		this.transactions.push(transaction);
		return transaction;
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
			Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work) {
		return inTransaction(setup, work, (transaction) -> {
		});
	}

	/**
	 * Run work in a transaction as {@link #inTransaction(TransactionSetup, Function)}
	 * does, handing its future to the caller before anything is submitted, so that a
	 * caller's cancel can never miss a transaction already under way.
	 */
	<T> TransactionFuture<T> inTransaction(TransactionSetup setup,
			Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work,
			Consumer<TransactionFuture<T>> beforeStart) {
		Assert.notNull(work, "'work' must not be null");
		TransactionFuture<T> result = new TransactionFuture<>(() -> abandonUnlessCommitSent(null));
		beforeStart.accept(result);
		submit((con) -> beginTransaction(con, setup)).whenComplete((transaction, beginFailure) -> {
			if (beginFailure != null) {
				result.settleExceptionally(EngineFailures.unwrap(beginFailure));
			}
			else {
				result.abortWith(() -> abandonUnlessCommitSent((LaneTransaction) transaction));
				runInTransaction(transaction, work, result);
			}
		});
		return result;
	}

	/**
	 * End a transaction where it stands, unless its COMMIT has been sent: cancel the
	 * running operation, roll back and close.
	 * @param transaction the transaction, or {@code null} before it has begun
	 * @return {@code false} when the COMMIT has been sent, so that its outcome decides
	 */
	private boolean abandonUnlessCommitSent(@Nullable LaneTransaction transaction) {
		if (transaction != null && !transaction.abort()) {
			return false;
		}
		abandon();
		return true;
	}

	/**
	 * Run a body whose operations join this lane's transaction, on this thread while it
	 * runs and in the stages that completing those operations runs, until the stage it
	 * returns completes; see {@link JoinedTransactions}.
	 */
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

	private <T> void runInTransaction(AsyncTransaction transaction,
			Function<AsyncJdbcOperations, ? extends CompletionStage<T>> work, TransactionFuture<T> result) {
		CompletionStage<T> stage;
		try {
			stage = work.apply(this);
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

	private void rollBackAndFail(AsyncTransaction transaction, Throwable cause, TransactionFuture<?> result) {
		rollbackIfActive(transaction).whenComplete((rolledBack, rollbackFailure) -> {
			if (rollbackFailure != null) {
				cause.addSuppressed(EngineFailures.unwrap(rollbackFailure));
			}
			result.settleExceptionally(cause);
		});
	}

	private CompletableFuture<Void> rollbackIfActive(AsyncTransaction transaction) {
		return transaction.isActive() ? transaction.rollback() : CompletableFuture.completedFuture(null);
	}

	private CompletableFuture<Void> finish(LaneTransaction transaction, boolean commit) {
		// A rollback must run even when the deadline has passed: it is how work is
		// undone. A commit's deadline holds only until the COMMIT is sent.
		Deadline deadline = commit ? Deadline.earlier(this.deadline, this.transactionDeadline) : Deadline.NONE;
		boolean commits = commit && transaction.savepoint == null;
		return submit((con) -> {
			if (!transaction.active) {
				throw new IllegalTransactionStateException("Transaction is already finished");
			}
			if (this.transactions.peek() != transaction) {
				throw new IllegalTransactionStateException(
						"A nested transaction begun after this one is still active; finish it first");
			}
			if (commits && !transaction.sendCommit()) {
				throw new IllegalTransactionStateException(
						"Transaction was ended (cancelled, or past its deadline) before its commit; it is rolled back");
			}
			this.transactions.pop();
			transaction.active = false;
			if (transaction.savepoint != null) {
				finishNested(con, transaction.savepoint, commit);
			}
			else {
				finishOutermost(con, commit);
			}
			return null;
		}, deadline, commits);
	}

	private void finishNested(Connection con, Savepoint savepoint, boolean commit) throws SQLException {
		if (!commit) {
			con.rollback(savepoint);
			return;
		}
		try {
			con.releaseSavepoint(savepoint);
		}
		catch (SQLFeatureNotSupportedException ex) {
			// The savepoint lives on until the outer transaction ends: harmless.
		}
	}

	private void finishOutermost(Connection con, boolean commit) throws SQLException {
		boolean ended = false;
		try {
			if (commit) {
				commitOrRollBack(con);
			}
			else {
				con.rollback();
			}
			ended = true;
		}
		finally {
			this.transactions.clear();
			this.transactionDeadline = Deadline.NONE;
			if (ended) {
				this.restore.restore(con);
				restoreAutoCommit();
			}
			else {
				// Whether the transaction is still open is unknown, and turning
				// auto-commit back on would commit it: the connection is discarded.
				this.discard = true;
			}
			this.restore = TransactionSetup.Restore.NOTHING;
		}
	}

	private void commitOrRollBack(Connection con) throws SQLException {
		try {
			con.commit();
		}
		catch (SQLException ex) {
			if (isConnectionFailure(ex)) {
				throw new TransactionOutcomeUnknownException("async-sql connection of engine '" + this.engine.getName()
						+ "' broke while its COMMIT was under way, so whether the transaction committed is unknown; "
						+ "check the database before retrying it", ex);
			}
			try {
				con.rollback();
			}
			catch (SQLException rollbackFailure) {
				ex.addSuppressed(rollbackFailure);
			}
			throw ex;
		}
	}

	/**
	 * Return whether a commit failed because the connection broke (SQLSTATE class 08),
	 * rather than because the server refused it and rolled back.
	 */
	private boolean isConnectionFailure(SQLException ex) {
		String state = ex.getSQLState();
		if ((state != null && state.startsWith("08")) || ex instanceof SQLRecoverableException
				|| ex instanceof SQLNonTransientConnectionException) {
			return true;
		}
		try {
			return this.connection.isClosed();
		}
		catch (SQLException closedCheckFailure) {
			return true;
		}
	}

	private void restoreAutoCommit() {
		try {
			if (this.connection.getAutoCommit() != this.initialAutoCommit) {
				this.connection.setAutoCommit(this.initialAutoCommit);
			}
		}
		catch (SQLException ex) {
			// A broken connection: the pool discards it when it comes back.
		}
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
			if (!this.transactions.isEmpty()) {
				this.transactions.forEach((transaction) -> transaction.active = false);
				finishOutermost(this.connection, false);
			}
		}
		finally {
			if (this.discard) {
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

	/**
	 * A transaction or savepoint of this connection.
	 */
	private final class LaneTransaction implements AsyncTransaction {

		private static final int OPEN = 0;

		private static final int COMMIT_SENT = 1;

		private static final int ABORTED = 2;

		private final @Nullable Savepoint savepoint;

		private volatile boolean active = true;

		/** {@link #OPEN}, {@link #COMMIT_SENT} or {@link #ABORTED}. */
		private final AtomicInteger outcome = new AtomicInteger(OPEN);

		LaneTransaction(@Nullable Savepoint savepoint) {
			this.savepoint = savepoint;
		}

		/**
		 * Claim the transaction for its COMMIT, unless it was aborted.
		 */
		boolean sendCommit() {
			return this.outcome.compareAndSet(OPEN, COMMIT_SENT);
		}

		/**
		 * Claim the transaction for a rollback, unless its COMMIT was sent.
		 */
		boolean abort() {
			return this.outcome.compareAndSet(OPEN, ABORTED) || this.outcome.get() == ABORTED;
		}

		@Override
		public CompletableFuture<Void> commit() {
			return finish(this, true);
		}

		@Override
		public CompletableFuture<Void> rollback() {
			return finish(this, false);
		}

		@Override
		public boolean isActive() {
			return this.active;
		}

		@Override
		public boolean isNested() {
			return this.savepoint != null;
		}

	}

}
