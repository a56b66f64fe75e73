package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.asyncsql.observation.OperationKind;

import org.springframework.core.task.TaskDecorator;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * Runs blocking JDBC work off the caller's thread, bounded by permits sized to the
 * connection pool, and hands back {@link CompletableFuture futures}.
 * <p>
 * Each operation takes a permit before it touches the pool, so engine work never waits
 * for a connection inside the pool; operations without a permit wait in a bounded FIFO
 * queue that holds no thread. A full queue or a closed engine fails the future at once,
 * and a queued operation that waits past the queue timeout fails without running.
 * Cancelling a future removes a queued operation or cancels the running statement at the
 * database. Every accepted future completes.
 * <p>
 * Futures complete on engine threads: dependent stages added with non-async methods run
 * there too, so they must not block; use the {@code *Async} variants for blocking work. A
 * future refused at once, or cancelled or completed by the caller, completes on the
 * caller's thread instead.
 *
 * @since 0.1.0
 * @see AsyncJdbcTemplate
 */
public final class AsyncEngine implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(AsyncEngine.class);

	private static final long ABORT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

	private static final long FUTURE_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

	private final String name;

	private final DataSource dataSource;

	private final ThreadMode threadMode;

	private final long queueTimeoutNanos;

	private final Duration shutdownTimeout;

	private final Duration streamIdleTimeout;

	private final @Nullable Duration streamMaxLifetime;

	private final @Nullable TaskDecorator taskDecorator;

	private final AsyncEngineListener listener;

	private final Admission admission;

	private final EngineThreads threads;

	private final JdbcTemplate jdbcTemplate;

	final EngineFailures failures;

	final Observations observations;

	final LeakDetector leaks;

	/** Coalesces queued updates into batches; {@code null} without batching. */
	private final @Nullable UpdateCoalescer coalescer;

	private final Set<Shift> shifts = ConcurrentHashMap.newKeySet();

	private final Set<DefaultAsyncConnection> connections = ConcurrentHashMap.newKeySet();

	private final LongAdder completed = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final LongAdder cancelled = new LongAdder();

	/** Operations offered: watched at submission, or rejected before being watched. */
	private final LongAdder submitted = new LongAdder();

	private final AtomicBoolean listenerFailureLogged = new AtomicBoolean();

	private final AtomicBoolean sweepScheduled = new AtomicBoolean();

	/** See {@link #keepsQueryTimeoutInSession}; {@code null} until known. */
	private volatile @Nullable Boolean queryTimeoutInSession;

	AsyncEngine(AsyncEngineBuilder builder, ThreadMode threadMode, int maxConcurrency) {
		this.name = builder.name;
		this.dataSource = builder.dataSource;
		this.threadMode = threadMode;
		this.queueTimeoutNanos = builder.queueTimeout.toNanos();
		this.shutdownTimeout = builder.shutdownTimeout;
		this.streamIdleTimeout = builder.streamIdleTimeout;
		this.streamMaxLifetime = builder.streamMaxLifetime;
		this.taskDecorator = builder.taskDecorator;
		this.listener = builder.listener;
		this.admission = new Admission(maxConcurrency, builder.queueCapacity);
		this.threads = new EngineThreads(this.name, threadMode, maxConcurrency);
		this.jdbcTemplate = new JdbcTemplate(this.dataSource);
		this.failures = new EngineFailures(this.name, builder.queueTimeout, this.jdbcTemplate, this::stats);
		this.observations = Observations.of(builder);
		this.leaks = new LeakDetector(this.name, builder.leakDetectionThreshold, this.threads);
		this.coalescer = builder.batching ? new UpdateCoalescer(this, this.admission, builder.batchMaxSize) : null;
	}

	/**
	 * Start building an engine for the given {@link DataSource}.
	 * @param dataSource the pooled data source the engine draws connections from
	 * @return a new builder
	 */
	public static AsyncEngineBuilder builder(DataSource dataSource) {
		return new AsyncEngineBuilder(dataSource);
	}

	/**
	 * Run the callback with a pooled connection on an engine thread. The connection is
	 * bound for Spring's {@code DataSourceUtils}, so a {@link JdbcTemplate} on the same
	 * data source called inside the callback uses it.
	 * <p>
	 * The future completes exceptionally with {@link EngineSaturatedException} when the
	 * queue is full, {@link QueueTimeoutException} when no permit came in time,
	 * {@link EngineClosedException} after {@link #close()}, and otherwise with whatever
	 * the callback threw, {@link SQLException SQLExceptions} translated to Spring's
	 * {@link DataAccessException} hierarchy.
	 * @param <T> the result type
	 * @param callback the work to run
	 * @return a future of the callback's result
	 */
	public <T> CompletableFuture<T> execute(ConnectionCallback<T> callback) {
		Assert.notNull(callback, "'callback' must not be null");
		return submit(callback, Deadline.NONE);
	}

	/**
	 * Take a permit and a pooled connection for a sequence of operations, run in
	 * submission order, until the connection is closed. The future fails like
	 * {@link #execute(ConnectionCallback)}'s.
	 * @return a future of the connection
	 */
	public CompletableFuture<AsyncConnection> connect() {
		return DefaultAsyncConnection.asConnection(connect(Deadline.NONE, this.jdbcTemplate));
	}

	/**
	 * Return the current figures of this engine. An operation is counted before its
	 * future completes, whoever completes it, so whoever sees the future done finds it
	 * counted ({@code obtrudeValue} and {@code obtrudeException} aside, which are counted
	 * just after their dependent stages have run).
	 * @return the statistics
	 */
	public EngineStats stats() {
		return new EngineStats(this.admission.active(), this.admission.queued(), this.admission.permits(),
				this.admission.capacity(), this.completed.sum(), this.failed.sum(), this.rejected.sum(),
				this.cancelled.sum(), this.submitted.sum(), this.leaks.count(),
				(this.coalescer != null) ? this.coalescer.batches() : 0,
				(this.coalescer != null) ? this.coalescer.batchedOperations() : 0);
	}

	/**
	 * Return the data source this engine draws connections from, for blocking use.
	 * @return the data source
	 */
	public DataSource getDataSource() {
		return this.dataSource;
	}

	/**
	 * Return the name of this engine, used in thread names, messages and meter tags.
	 * @return the name
	 */
	public String getName() {
		return this.name;
	}

	/**
	 * Return the kind of thread this engine runs work on: {@link ThreadMode#PLATFORM} or
	 * {@link ThreadMode#VIRTUAL}, never {@link ThreadMode#AUTO}.
	 * @return the thread mode in use
	 */
	public ThreadMode getThreadMode() {
		return this.threadMode;
	}

	/**
	 * Return whether {@link #close()} was called.
	 * @return whether the engine refuses new work
	 */
	public boolean isClosed() {
		return this.admission.isClosed();
	}

	/**
	 * Shut down gracefully: refuse new work, let queued and running work finish for up to
	 * the shutdown timeout, then fail what is still queued with
	 * {@link EngineClosedException}, cancel what is running (statements are cancelled at
	 * the database, open connections rolled back and released) and stop the threads. Does
	 * nothing when already closed. May be called from a stage of an engine future, even
	 * one that runs on a worker.
	 * @throws IllegalStateException when called from inside an operation of this engine,
	 * which it would wait for in vain; the engine stays open
	 */
	@Override
	public void close() {
		if (isClosed()) {
			return;
		}
		if (isInsideOperation()) {
			throw new IllegalStateException("async-sql engine '" + this.name + "'"
					+ ": close() was called from inside one of its own operations, which close() would wait for "
					+ "until the shutdown timeout; close the engine from outside, or from a stage of the "
					+ "operation's future (future.thenRun(engine::close))");
		}
		if (!this.admission.close()) {
			return;
		}
		handOffCallersSuccessor();
		boolean drained = awaitDrained(this.shutdownTimeout.toNanos());
		if (!drained) {
			EngineStats stats = stats();
			logger.warn("async-sql engine '" + this.name + "' did not drain within " + this.shutdownTimeout
					+ " (active=" + stats.active() + ", queued=" + stats.queued()
					+ "); cancelling what is left. Raise async-sql.shutdown.timeout to wait longer");
			EngineClosedException reason = this.failures.closed("shut down before the operation started");
			for (EngineTask<?> task : this.admission.drainQueue()) {
				task.abandon(reason);
			}
			for (DefaultAsyncConnection connection : this.connections) {
				connection.abandon();
			}
			for (Shift shift : this.shifts) {
				EngineTask<?> task = shift.task();
				if (task != null) {
					task.abandon(reason);
				}
			}
			if (!awaitDrained(ABORT_GRACE_NANOS)) {
				logger.warn("async-sql engine '" + this.name + "' still has work on the database after cancelling it");
			}
		}
		this.threads.shutdown();
	}

	/**
	 * Return whether the current thread is a worker in the middle of a task: in its body,
	 * or in its task decorator before the task has completed, rather than in a stage run
	 * after that.
	 */
	private boolean isInsideOperation() {
		return tasksOfCurrentThread().anyMatch(EngineTask::isUnderWay);
	}

	/**
	 * When {@link #close()} is called from a callback on a worker, the task that worker
	 * was to run next already holds the permit but could start only once close() returns,
	 * so close() would wait for it in vain: run it, and what follows it, elsewhere.
	 */
	private void handOffCallersSuccessor() {
		tasksOfCurrentThread().forEach((task) -> {
			EngineTask<?> next = task.successor;
			if (next != null) {
				task.successor = null;
				this.threads.dispatchAside(new Chain(next));
			}
		});
	}

	/**
	 * Return the tasks the shifts of the current thread run: none unless it is a worker
	 * (more than one only when work runs inline once the workers have stopped).
	 */
	private Stream<EngineTask<?>> tasksOfCurrentThread() {
		return this.shifts.stream().filter(Shift::isCurrent).map(Shift::task).filter(Objects::nonNull);
	}

	/**
	 * Wait until every permit is free and every task that held one has completed its
	 * future: a task gives up its permit just before it completes.
	 */
	private boolean awaitDrained(long nanos) {
		long deadline = System.nanoTime() + nanos;
		try {
			if (!this.admission.awaitIdle(nanos)) {
				return false;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		// Completed futures, not finished tasks: work completing its future may call
		// close().
		while (this.shifts.stream().anyMatch(AsyncEngine::completing)) {
			if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
				return false;
			}
			LockSupport.parkNanos(FUTURE_POLL_NANOS);
		}
		return true;
	}

	private static boolean completing(Shift shift) {
		EngineTask<?> task = shift.task();
		return task != null && !task.future.isDone();
	}

	@Override
	public String toString() {
		return "AsyncEngine '" + this.name + "' " + stats();
	}

	// Internal API for templates, connections and streams

	Duration streamIdleTimeout() {
		return this.streamIdleTimeout;
	}

	@Nullable Duration streamMaxLifetime() {
		return this.streamMaxLifetime;
	}

	void cancelUntilStopped(Runnable cancellation, BooleanSupplier running) {
		this.threads.cancelUntilStopped(cancellation, running);
	}

	@SuppressWarnings("unchecked")
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work, Deadline deadline) {
		UpdateCoalescer coalescer = this.coalescer;
		if (coalescer != null && work instanceof SqlWork<?> described
				&& described.work() instanceof CoalescibleUpdate update) {
			EngineTask.Body<Integer> body = (task) -> coalescer.run(task, update);
			return submit((EngineTask.Body<T>) (EngineTask.Body<?>) body, deadline, false,
					this.observations.forWork(work), update);
		}
		return submit((task) -> runPooled(task, work), deadline, false, this.observations.forWork(work), null);
	}

	/**
	 * Return whether this engine coalesces queued updates into batches.
	 */
	boolean coalescesUpdates() {
		return this.coalescer != null;
	}

	CompletableFuture<DefaultAsyncConnection> connect(Deadline deadline, JdbcTemplate jdbcTemplate) {
		return connect(deadline, jdbcTemplate, this.leaks.opener(OperationKind.CONNECTION));
	}

	/**
	 * Open a lane observed as a connection of its own.
	 * @param opener who asked for it, captured on its thread by
	 * {@link LeakDetector#opener}, or {@code null} when leaks are not detected
	 */
	CompletableFuture<DefaultAsyncConnection> connect(Deadline deadline, JdbcTemplate jdbcTemplate,
			LeakDetector.@Nullable Opener opener) {
		return connect(deadline, jdbcTemplate,
				this.observations.open(OperationKind.CONNECTION, null, OperationObservation.NONE), opener);
	}

	/**
	 * Open a lane observed as the given operation (a transaction, a stream).
	 * @param opener who asked for it, captured on its thread by
	 * {@link LeakDetector#opener}, or {@code null} when leaks are not detected
	 */
	CompletableFuture<DefaultAsyncConnection> connect(Deadline deadline, JdbcTemplate jdbcTemplate,
			OperationObservation observation, LeakDetector.@Nullable Opener opener) {
		return submit((task) -> openConnection(task, deadline, jdbcTemplate, opener), deadline, true, observation,
				null);
	}

	private <T> CompletableFuture<T> submit(EngineTask.Body<T> body, Deadline deadline, boolean keepsPermit,
			OperationObservation observation, @Nullable CoalescibleUpdate update) {
		EngineTask<T> task = newTask(body, deadline, false, keepsPermit);
		task.update = update;
		observation.attach(task);
		watch(task);
		switch (this.admission.admit(task)) {
			case RUN -> dispatch(task);
			case QUEUED -> {
				long remaining = deadline.isSet() ? deadline.remainingNanos() : Long.MAX_VALUE;
				if (remaining < this.queueTimeoutNanos) {
					task.scheduleQueueTimeout(remaining);
				}
				ensureSweep();
				// A permit may have come free as the task joined the queue.
				EngineTask<?> claimed;
				while ((claimed = this.admission.claim()) != null) {
					dispatch(claimed);
				}
			}
			case FULL -> reject(task, this.failures.saturated());
			case CLOSED -> reject(task, this.failures.closed("is closed and accepts no new work"));
		}
		return task.future;
	}

	/**
	 * Make sure a sweep is scheduled for when the oldest waiting task reaches the queue
	 * timeout. Called after each task joins the queue and after each sweep, so one is
	 * pending whenever anything waits.
	 */
	private void ensureSweep() {
		// Read before the CAS: nearly always a sweep is pending, and a failed CAS would
		// still take the cache line from the other cores.
		if (this.sweepScheduled.get() || !this.sweepScheduled.compareAndSet(false, true)) {
			return;
		}
		Long oldest = this.admission.oldestQueuedAt();
		if (oldest != null) {
			long delay = oldest + this.queueTimeoutNanos - System.nanoTime();
			if (schedule(this::sweep, Math.max(0, delay)) != null) {
				return;
			}
		}
		this.sweepScheduled.set(false);
		// A task queued after the look above found the flag still set: recheck for it.
		if (oldest == null && this.admission.queued() > 0) {
			ensureSweep();
		}
	}

	private void sweep() {
		for (EngineTask<?> task : this.admission.expire(System.nanoTime() - this.queueTimeoutNanos)) {
			task.queueTimedOut();
		}
		this.sweepScheduled.set(false);
		ensureSweep();
	}

	<T> EngineTask<T> newTask(EngineTask.Body<T> body, Deadline deadline, boolean inLane, boolean keepsPermit) {
		EngineTask<T> task = new EngineTask<>(this, body, deadline, inLane, keepsPermit);
		if (this.taskDecorator != null) {
			task.runnable = this.taskDecorator.decorate(task);
		}
		return task;
	}

	/**
	 * Have the task count its outcome and react when others complete its future
	 * (cancellation). Call before the task is published to other threads.
	 */
	void watch(EngineTask<?> task) {
		this.submitted.increment();
		task.watched = true;
	}

	void countOutcome(CompletableFuture<?> future) {
		outcomeCounter(future.isCompletedExceptionally(), future.isCancelled()).increment();
	}

	void countOutcome(@Nullable Throwable failure, int delta) {
		outcomeCounter(failure != null, failure instanceof CancellationException).add(delta);
	}

	private LongAdder outcomeCounter(boolean failed, boolean cancelled) {
		return !failed ? this.completed : cancelled ? this.cancelled : this.failed;
	}

	/**
	 * Fail a task that was never published to other threads: it counts as rejected only.
	 */
	void reject(EngineTask<?> task, DataAccessException reason) {
		if (!task.watched) {
			this.submitted.increment();
		}
		task.watched = false;
		this.rejected.increment();
		task.future.completeExceptionally(reason);
	}

	private void dispatch(EngineTask<?> first) {
		dispatch(new Chain(first));
	}

	/**
	 * Run a task that holds a permit, then each task its permit passes to, in one shift.
	 * Nothing here may keep a finished task: under load a shift never ends, and a task it
	 * kept would keep its result reachable for as long.
	 */
	private void runChain(Chain chain) {
		Shift shift = beginShift();
		try {
			EngineTask<?> task = chain.take();
			while (task != null) {
				shift.run(task);
				// Unlink, or a worker that never finds the queue empty would keep every
				// task it ran, and every result, reachable from the first.
				EngineTask<?> next = task.successor;
				task.successor = null;
				task = next;
			}
		}
		finally {
			endShift(shift);
		}
	}

	/**
	 * The work a worker is given: the first task of a shift, handed over once. A lambda
	 * capturing the task would keep it, and its result, reachable from the worker (a
	 * pool's running task, a virtual thread's) until the shift ends.
	 */
	private final class Chain implements Runnable {

		private @Nullable EngineTask<?> first;

		Chain(EngineTask<?> first) {
			this.first = first;
		}

		@Nullable EngineTask<?> take() {
			EngineTask<?> task = this.first;
			this.first = null;
			return task;
		}

		@Override
		public void run() {
			runChain(this);
		}

	}

	/**
	 * Start a worker's shift on this thread; tasks that hold a permit, or their lane's,
	 * run only in one.
	 */
	Shift beginShift() {
		Shift shift = new Shift();
		this.shifts.add(shift);
		return shift;
	}

	void endShift(Shift shift) {
		this.shifts.remove(shift);
		shift.end();
	}

	void dispatch(Runnable work) {
		this.threads.dispatch(work);
	}

	@Nullable EngineTask<?> releasePermit() {
		return this.admission.release();
	}

	void releaseConnectionPermit(DefaultAsyncConnection connection) {
		this.connections.remove(connection);
		LeakDetector.Watch leakWatch = connection.leakWatch;
		if (leakWatch != null) {
			leakWatch.released();
		}
		EngineTask<?> next = releasePermit();
		if (next != null) {
			dispatch(next);
		}
	}

	/**
	 * Count out a task that stopped waiting without a permit.
	 */
	void dequeue() {
		this.admission.left();
	}

	@Nullable ScheduledFuture<?> schedule(Runnable action, long delayNanos) {
		return this.threads.schedule(action, delayNanos);
	}

	void cancelStatementsAsync(EngineTask<?> task) {
		this.threads.cancelUntilStopped(task::cancelStatements, task::isAttached);
	}

	void taskStarted(EngineTask<?> task) {
		try {
			this.listener.taskStarted(task.waitedNanos());
		}
		catch (RuntimeException ex) {
			listenerFailed(ex);
		}
	}

	void batchExecuted(int size) {
		try {
			this.listener.batchExecuted(size);
		}
		catch (RuntimeException ex) {
			listenerFailed(ex);
		}
	}

	void taskFinished(long executionNanos, @Nullable Throwable failure) {
		try {
			this.listener.taskFinished(executionNanos, failure);
		}
		catch (RuntimeException ex) {
			listenerFailed(ex);
		}
	}

	private void listenerFailed(RuntimeException ex) {
		// The operation's outcome and its permit matter more than one lost metric; a
		// listener that fails every time would flood the log, so only the first warns.
		String message = "AsyncEngineListener of async-sql engine '" + this.name + "' failed; the operation goes on";
		if (this.listenerFailureLogged.compareAndSet(false, true)) {
			logger.warn(message + " (later failures are logged at debug level)", ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(message, ex);
		}
	}

	private <T> @Nullable T runPooled(EngineTask<T> task, ConnectionCallback<T> work) throws SQLException {
		Connection connection = obtainConnection();
		try {
			return runBound(task, connection, work);
		}
		finally {
			JdbcUtils.closeConnection(connection);
		}
	}

	/**
	 * Run work with the connection bound for Spring, its statements tracked for
	 * cancellation and the task's deadline as the statements' query timeout.
	 */
	<T> @Nullable T runBound(EngineTask<T> task, Connection connection, ConnectionCallback<T> work)
			throws SQLException {
		TrackedConnection tracked = new TrackedConnection(connection);
		ConnectionHolder holder = new ConnectionHolder(tracked);
		boolean timed = task.deadline.isSet();
		boolean restore = timed && keepsQueryTimeoutInSession(connection);
		int sessionTimeout = restore ? tracked.sessionQueryTimeout() : 0;
		if (timed) {
			holder.setTimeoutInMillis(Math.max(1, TimeUnit.NANOSECONDS.toMillis(task.deadline.remainingNanos())));
		}
		TransactionSynchronizationManager.bindResource(this.dataSource, holder);
		task.attach(tracked);
		try {
			return work.doInConnection(tracked);
		}
		finally {
			task.attach(null);
			tracked.detach();
			TransactionSynchronizationManager.unbindResource(this.dataSource);
			if (restore) {
				tracked.restoreSessionQueryTimeout(sessionTimeout);
			}
		}
	}

	/**
	 * Return whether this engine's driver keeps a statement's query timeout in the
	 * session (H2 does), so that a deadline's timeout must be undone after its call;
	 * found out once, on the first call with a deadline.
	 */
	boolean keepsQueryTimeoutInSession(Connection connection) throws SQLException {
		Boolean known = this.queryTimeoutInSession;
		if (known == null) {
			known = TrackedConnection.keepsQueryTimeoutInSession(connection);
			this.queryTimeoutInSession = known;
		}
		return known;
	}

	private DefaultAsyncConnection openConnection(EngineTask<?> task, Deadline deadline, JdbcTemplate jdbcTemplate,
			LeakDetector.@Nullable Opener opener) throws SQLException {
		Connection connection = obtainConnection();
		try {
			DefaultAsyncConnection lane = new DefaultAsyncConnection(this, connection, deadline, jdbcTemplate);
			lane.observation = task.observation;
			// Before anything can release the lane (close() abandons what is in the set).
			lane.leakWatch = this.leaks.watch(opener);
			this.connections.add(lane);
			return lane;
		}
		catch (SQLException | RuntimeException ex) {
			JdbcUtils.closeConnection(connection);
			throw ex;
		}
	}

	Connection obtainConnection() {
		try {
			Connection connection = this.dataSource.getConnection();
			Assert.state(connection != null, "DataSource returned null from getConnection()");
			return connection;
		}
		catch (SQLException ex) {
			throw new CannotGetJdbcConnectionException(
					"async-sql engine '" + this.name + "' failed to obtain a JDBC connection", ex);
		}
	}

}
