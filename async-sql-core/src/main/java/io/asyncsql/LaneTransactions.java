package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.Savepoint;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import org.springframework.transaction.IllegalTransactionStateException;

/**
 * The transactions of one {@link DefaultAsyncConnection lane}: its stack of a transaction
 * and its savepoints, how each begins (with its definition's setup, eagerly where the
 * driver begins lazily) and ends, and what the connection gets back after the outermost
 * one. The only place that sends COMMIT and ROLLBACK for lanes.
 * <p>
 * Everything but {@link #deadline()} and the {@link LaneTransaction} outcome runs inside
 * lane work, which the lane's drain loop already serialises.
 */
final class LaneTransactions {

	private final DefaultAsyncConnection lane;

	private final Connection connection;

	/** The lane's own deadline, which a commit keeps to until its COMMIT is sent. */
	private final Deadline laneDeadline;

	private final boolean initialAutoCommit;

	/**
	 * Transactions from outermost (last) to innermost (first).
	 */
	private final Deque<LaneTransaction> transactions = new ArrayDeque<>();

	/**
	 * Whether the connection's transaction state is unknown (a COMMIT or ROLLBACK
	 * failed), so that it must be discarded rather than given back.
	 */
	private boolean discard;

	/**
	 * The deadline of the open transaction's definition, if any; read by lane submits.
	 */
	private volatile Deadline transactionDeadline = Deadline.NONE;

	/**
	 * What puts back the connection state the open transaction's definition changed.
	 */
	private TransactionSetup.Restore restore = TransactionSetup.Restore.NOTHING;

	LaneTransactions(DefaultAsyncConnection lane, Connection connection, Deadline laneDeadline) throws SQLException {
		this.lane = lane;
		this.connection = connection;
		this.laneDeadline = laneDeadline;
		this.initialAutoCommit = connection.getAutoCommit();
	}

	/**
	 * Return the deadline of the open transaction's definition, if any.
	 */
	Deadline deadline() {
		return this.transactionDeadline;
	}

	/**
	 * Whether the connection must be discarded rather than given back to the pool.
	 */
	boolean mustDiscard() {
		return this.discard;
	}

	/**
	 * Begin the outermost transaction, failing when one is active.
	 */
	LaneTransaction beginOutermost(Connection con, TransactionSetup setup) throws SQLException {
		if (!this.transactions.isEmpty()) {
			throw new IllegalTransactionStateException(
					"A transaction is already active on this connection; use beginNested() for a savepoint");
		}
		return begin(con, setup);
	}

	/**
	 * Begin a savepoint in the active transaction, failing when there is none.
	 */
	LaneTransaction beginNested(Connection con) throws SQLException {
		if (this.transactions.isEmpty()) {
			throw new IllegalTransactionStateException(
					"No transaction is active on this connection; call begin() before beginNested()");
		}
		return begin(con, TransactionSetup.DEFAULT);
	}

	/**
	 * Begin a transaction with the given setup, or a savepoint (which ignores it) when
	 * one is already active.
	 */
	LaneTransaction begin(Connection con, TransactionSetup setup) throws SQLException {
		LaneTransaction transaction;
		if (this.transactions.isEmpty()) {
			con.setAutoCommit(false);
			try {
				this.restore = setup.apply(con);
				if (this.lane.getEngine().binding.beginsLazily(con)) {
					EagerBegin.open(con);
				}
			}
			catch (SQLException | RuntimeException ex) {
				undoBegin(con, ex);
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

	private CompletableFuture<Void> finish(LaneTransaction transaction, boolean commit) {
		// A rollback must run even when the deadline has passed: it is how work is
		// undone. A commit's deadline holds only until the COMMIT is sent.
		Deadline deadline = commit ? Deadline.earlier(this.laneDeadline, this.transactionDeadline) : Deadline.NONE;
		boolean commits = commit && transaction.savepoint == null;
		return this.lane.submit((con) -> {
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

	/**
	 * Roll back whatever is still open, as the lane is released.
	 */
	void rollBackOpen() throws SQLException {
		if (!this.transactions.isEmpty()) {
			this.transactions.forEach((transaction) -> transaction.active = false);
			finishOutermost(this.connection, false);
		}
	}

	/**
	 * Put the connection back as it was before a begin that failed part-way; if that
	 * fails too, its state is unknown and it is discarded.
	 */
	private void undoBegin(Connection con, Exception failure) {
		try {
			con.rollback();
			this.restore.restore(con);
			restoreAutoCommit();
		}
		catch (SQLException | RuntimeException undoFailure) {
			failure.addSuppressed(undoFailure);
			this.discard = true;
		}
		this.restore = TransactionSetup.Restore.NOTHING;
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
			if (EngineFailures.isConnectionFailure(ex, this.connection)) {
				throw new TransactionOutcomeUnknownException("async-sql connection of engine '"
						+ this.lane.getEngine().getName()
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
	 * A transaction or savepoint of the lane.
	 */
	final class LaneTransaction implements AsyncTransaction {

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
