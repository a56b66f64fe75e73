package io.asyncsql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ParameterDisposer;
import org.springframework.jdbc.core.PreparedStatementSetter;

/**
 * One batch of coalesced updates, run by the worker of its first operation on that
 * operation's connection; every caller gets the outcome its update would have had alone
 * (docs/batching.md says it whole):
 * <ul>
 * <li>The batch runs in a transaction of its own, so that it is applied whole or not at
 * all on every database (MariaDB in auto-commit would commit each element by
 * itself).</li>
 * <li>When it fails for any reason, it is rolled back and each member still running runs
 * again alone, in auto-commit, for its own count or its own translated exception.</li>
 * <li>A member cancelled, or past its deadline, while it runs aborts it (its statement is
 * cancelled) and is not run again: nothing of it was committed. Just before the COMMIT
 * every member is sealed: {@code cancel()} then returns {@code false}, as for a
 * transaction.</li>
 * <li>A connection broken during the COMMIT fails every member with
 * {@link TransactionOutcomeUnknownException}.</li>
 * </ul>
 */
final class UpdateBatch {

	private static final Log logger = LogFactory.getLog(UpdateBatch.class);

	private final UpdateCoalescer coalescer;

	private final AsyncEngine engine;

	private final CoalescibleUpdate update;

	private final Connection connection;

	/** The first operation, whose worker runs the batch, then the rest, oldest first. */
	private final List<EngineOperation<Integer>> operations;

	/** Members that ended before the batch started, completed with the others. */
	private final List<EngineOperation<?>> ended = new ArrayList<>(0);

	private final List<@Nullable Throwable> endedFailures = new ArrayList<>(0);

	private final @Nullable Integer[] counts;

	private final @Nullable Throwable[] failures;

	private final long[] startedAt;

	private final @Nullable ScheduledFuture<?>[] deadlineTimers;

	private final boolean[] finished;

	@SuppressWarnings("unchecked")
	UpdateBatch(UpdateCoalescer coalescer, EngineOperation<Integer> first, CoalescibleUpdate update,
			List<EngineOperation<?>> taken, Connection connection) {
		this.coalescer = coalescer;
		this.engine = coalescer.engine;
		this.update = update;
		this.connection = connection;
		int capacity = taken.size() + 1;
		this.operations = new ArrayList<>(capacity);
		this.operations.add(first);
		this.counts = new Integer[capacity];
		this.failures = new Throwable[capacity];
		this.startedAt = new long[capacity];
		this.deadlineTimers = new ScheduledFuture<?>[capacity];
		this.finished = new boolean[capacity];
		for (EngineOperation<?> operation : taken) {
			if (start(operation, this.operations.size())) {
				this.operations.add((EngineOperation<Integer>) operation);
			}
		}
	}

	/**
	 * Start a member as {@link EngineOperation#run()} starts an operation, unless it
	 * ended meanwhile or waited past its deadline.
	 */
	private boolean start(EngineOperation<?> operation, int index) {
		EngineThreads.cancel(operation.queueTimer);
		boolean expired = operation.deadline.isSet() && operation.deadline.remainingNanos() <= 0;
		// Not running: cancelled since it was taken, its future complete already.
		if (expired || !operation.transition(EngineOperation.RUNNING, EngineOperation.RUNNING)) {
			this.ended.add(operation);
			this.endedFailures.add(expired ? this.engine.failures.queueTimeout(operation) : null);
			return false;
		}
		this.engine.counters.started(operation);
		operation.observation.startedAside();
		this.startedAt[index] = System.nanoTime();
		if (operation.deadline.isSet()) {
			this.deadlineTimers[index] = this.engine.threads.schedule(operation::deadlineExpired,
					operation.deadline.remainingNanos());
		}
		return true;
	}

	/**
	 * Run the batch, or each update alone when the batch fails.
	 * @return the first operation's own count
	 * @throws Exception the first operation's own failure
	 */
	@Nullable Integer run() throws Exception {
		EngineOperation<Integer> first = this.operations.get(0);
		first.afterCompleting = this::completeMembers;
		int size = this.operations.size();
		if (size == 1) {
			return this.engine.binding.runBound(first, this.connection, this.update);
		}
		this.coalescer.counted(size);
		for (EngineOperation<Integer> operation : this.operations) {
			operation.observation.batched(size);
		}
		try {
			int[] batchCounts = execute();
			for (int i = 0; i < size; i++) {
				if (batchCounts != null) {
					this.counts[i] = batchCounts[i];
					finish(i);
				}
				else {
					runAlone(i);
				}
			}
		}
		catch (Throwable ex) {
			for (int i = 0; i < size; i++) {
				if (!this.finished[i]) {
					this.failures[i] = ex;
					finish(i);
				}
			}
		}
		Throwable failure = this.failures[0];
		if (failure instanceof Exception ex) {
			throw ex;
		}
		if (failure instanceof Error error) {
			throw error;
		}
		return this.counts[0];
	}

	/**
	 * Run the batch in a transaction of its own.
	 * @return each operation's count once committed, or {@code null} when nothing was
	 * committed and each must run alone
	 * @throws TransactionOutcomeUnknownException when the connection broke during the
	 * COMMIT
	 * @throws SQLException when the transaction could not be ended, so that running the
	 * updates alone on the connection is not safe
	 */
	private int @Nullable [] execute() throws SQLException {
		TrackedConnection tracked = new TrackedConnection(this.connection);
		int timeout = queryTimeoutSeconds();
		boolean restoreTimeout = timeout > 0 && this.engine.binding.keepsQueryTimeoutInSession(this.connection);
		int sessionTimeout = restoreTimeout ? tracked.sessionQueryTimeout() : 0;
		boolean autoCommit = this.connection.getAutoCommit();
		for (EngineOperation<Integer> operation : this.operations) {
			// A cancel or deadline of any member now cancels the batch's statement.
			operation.attach(tracked);
		}
		boolean committed = false;
		boolean unknown = false;
		try {
			if (autoCommit) {
				this.connection.setAutoCommit(false);
			}
			if (this.engine.binding.beginsLazily(this.connection)) {
				// A cancel landing on a lazy BEGIN would let the batch commit outside it.
				EagerBegin.open(tracked);
			}
			int[] batchCounts = send(tracked, timeout);
			if (batchCounts == null || !sealAll()) {
				rollBack();
				return null;
			}
			committed = commit();
			return committed ? batchCounts : null;
		}
		catch (SQLException | RuntimeException ex) {
			if (ex instanceof TransactionOutcomeUnknownException) {
				// The connection is broken: the pool discards it, rolling nothing back.
				unknown = true;
				throw ex;
			}
			if (logger.isDebugEnabled()) {
				logger.debug("Batch of " + this.operations.size() + " coalesced updates failed; running each alone",
						ex);
			}
			rollBack();
			return null;
		}
		finally {
			for (EngineOperation<Integer> operation : this.operations) {
				operation.attach(null);
			}
			tracked.detach();
			if (restoreTimeout) {
				tracked.restoreSessionQueryTimeout(sessionTimeout);
			}
			if (autoCommit && !unknown) {
				restoreAutoCommit(committed);
			}
		}
	}

	private int @Nullable [] send(TrackedConnection tracked, int timeout) throws SQLException {
		try (PreparedStatement statement = tracked.prepareStatement(this.update.sql())) {
			if (timeout > 0) {
				statement.setQueryTimeout(timeout);
			}
			for (EngineOperation<Integer> operation : this.operations) {
				setter(operation).setValues(statement);
				statement.addBatch();
			}
			return exact(statement.executeBatch());
		}
		finally {
			for (EngineOperation<Integer> operation : this.operations) {
				if (setter(operation) instanceof ParameterDisposer disposer) {
					disposer.cleanupParameters();
				}
			}
		}
	}

	private static PreparedStatementSetter setter(EngineOperation<Integer> operation) {
		return Objects.requireNonNull(operation.update, "update").setter();
	}

	/**
	 * Return each update's own count, or {@code null} when the driver did not give them
	 * all (rewritten batches report {@link Statement#SUCCESS_NO_INFO}) and the statement
	 * is not one whose count is known anyway.
	 */
	private int @Nullable [] exact(int[] batchCounts) {
		if (batchCounts.length != this.operations.size()) {
			return null;
		}
		for (int i = 0; i < batchCounts.length; i++) {
			if (batchCounts[i] == Statement.SUCCESS_NO_INFO) {
				if (!this.update.insertsOneRow()) {
					return null;
				}
				batchCounts[i] = 1;
			}
			else if (batchCounts[i] < 0) {
				return null;
			}
		}
		return batchCounts;
	}

	/**
	 * Return the query timeout of the batch: no later than the earliest deadline of its
	 * operations, nor than the template's own query timeout.
	 */
	private int queryTimeoutSeconds() {
		int timeout = this.update.jdbcTemplate().getQueryTimeout();
		for (EngineOperation<Integer> operation : this.operations) {
			if (operation.deadline.isSet()) {
				long millis = TimeUnit.NANOSECONDS.toMillis(operation.deadline.remainingNanos());
				int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (millis + 999) / 1000));
				timeout = (timeout > 0) ? Math.min(timeout, seconds) : seconds;
			}
		}
		return timeout;
	}

	/** Seal every operation for the COMMIT, or none when one was aborted meanwhile. */
	private boolean sealAll() {
		for (int i = 0; i < this.operations.size(); i++) {
			if (!this.operations.get(i).transition(EngineOperation.RUNNING, EngineOperation.SEALED)) {
				unsealFirst(i);
				return false;
			}
		}
		return true;
	}

	private void unsealFirst(int count) {
		for (int i = 0; i < count; i++) {
			this.operations.get(i).transition(EngineOperation.SEALED, EngineOperation.RUNNING);
		}
	}

	/** Commit the sealed batch; refused by the server, unseal and throw. */
	private boolean commit() throws SQLException {
		try {
			this.connection.commit();
			return true;
		}
		catch (SQLException ex) {
			if (EngineFailures.isConnectionFailure(ex, this.connection)) {
				throw new TransactionOutcomeUnknownException("async-sql engine '" + this.engine.getName()
						+ "': the connection broke while the COMMIT of a batch of " + this.operations.size()
						+ " coalesced updates was under way, so whether this update was applied is unknown; "
						+ "check the database before retrying it", ex);
			}
			unsealFirst(this.operations.size());
			throw ex;
		}
	}

	private void rollBack() throws SQLException {
		// A failure propagates: updates run alone on a connection whose transaction may
		// still be open would be committed with it, or never.
		this.connection.rollback();
	}

	private void restoreAutoCommit(boolean committed) throws SQLException {
		try {
			this.connection.setAutoCommit(true);
		}
		catch (SQLException ex) {
			if (!committed) {
				throw ex;
			}
			// Committed already: the pool finds out about the connection.
		}
	}

	/**
	 * Run an operation alone, in auto-commit, after its batch failed; not one that was
	 * aborted meanwhile, whose future tells its outcome already.
	 */
	private void runAlone(int index) {
		EngineOperation<Integer> operation = this.operations.get(index);
		if (!operation.transition(EngineOperation.RUNNING, EngineOperation.RUNNING)) {
			this.failures[index] = new CancellationException("Aborted while its batch ran");
			finish(index);
			return;
		}
		if (this.engine.isClosed() && this.operations.get(0).future.isDone()) {
			// The engine shut down and cancelled the batch: as for any running operation.
			operation.abandon(this.engine.failures.closed("shut down while the operation ran"));
		}
		else {
			try {
				this.counts[index] = this.engine.binding.runBound(operation, this.connection, operation.update);
			}
			catch (Throwable ex) {
				this.failures[index] = ex;
			}
		}
		finish(index);
	}

	/**
	 * End an operation's work: sealed, so that its future gets its own outcome, and told
	 * to the listener and its observation as {@link EngineOperation#run()} does (the
	 * first operation's own run does that for it).
	 */
	private void finish(int index) {
		this.finished[index] = true;
		EngineOperation<Integer> operation = this.operations.get(index);
		operation.transition(EngineOperation.RUNNING, EngineOperation.SEALED);
		if (index > 0) {
			EngineThreads.cancel(this.deadlineTimers[index]);
			Throwable failure = this.failures[index];
			this.engine.counters.finished(System.nanoTime() - this.startedAt[index], failure);
			operation.observation.finished(failure);
		}
	}

	/**
	 * Complete the members' futures, once the first operation's worker has given up the
	 * permit and completed that operation (so that a stage of theirs may close the
	 * engine).
	 */
	private void completeMembers() {
		for (int i = 1; i < this.operations.size(); i++) {
			Throwable failure = this.failures[i];
			this.operations.get(i).complete(this.counts[i], failure, failure == null);
		}
		for (int i = 0; i < this.ended.size(); i++) {
			this.ended.get(i).complete(null, this.endedFailures.get(i), false);
		}
	}

}
