package io.asyncsql;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import io.asyncsql.observation.OperationKind;

import org.springframework.core.task.TaskDecorator;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
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

	private final String name;

	private final DataSource dataSource;

	private final ThreadMode threadMode;

	private final JdbcTemplate jdbcTemplate;

	private final EngineShutdown shutdown;

	// The parts behind this facade, one job each (docs/architecture.md), reached by the
	// engine's operations, lanes, templates and streams

	final @Nullable TaskDecorator taskDecorator;

	final EngineThreads threads;

	final Admission admission;

	final LeakDetector leaks;

	final EngineCounters counters;

	final EngineFailures failures;

	final Observations observations;

	final ConnectionBinding binding;

	final Workers workers;

	/** Coalesces queued updates into batches; {@code null} without batching. */
	private final @Nullable UpdateCoalescer coalescer;

	final Lanes lanes;

	final Duration streamIdleTimeout;

	final @Nullable Duration streamMaxLifetime;

	AsyncEngine(AsyncEngineBuilder builder, ThreadMode threadMode, int maxConcurrency) {
		this.name = builder.name;
		this.dataSource = builder.dataSource;
		this.threadMode = threadMode;
		this.jdbcTemplate = new JdbcTemplate(this.dataSource);
		this.taskDecorator = builder.taskDecorator;
		this.streamIdleTimeout = builder.streamIdleTimeout;
		this.streamMaxLifetime = builder.streamMaxLifetime;
		this.threads = new EngineThreads(this.name, threadMode, maxConcurrency);
		this.admission = new Admission(maxConcurrency, builder.queueCapacity, builder.queueTimeout.toNanos(),
				this.threads);
		this.leaks = new LeakDetector(this.name, builder.leakDetectionThreshold, this.threads);
		this.counters = new EngineCounters(this.name, builder.listener, this.admission, this.leaks);
		this.failures = new EngineFailures(this.name, builder.queueTimeout, this.jdbcTemplate, this.counters::snapshot);
		this.observations = Observations.of(builder);
		this.binding = new ConnectionBinding(this.name, this.dataSource);
		this.workers = new Workers(this.threads);
		this.lanes = new Lanes(this, this.binding, this.leaks, this.admission, this.workers);
		this.shutdown = new EngineShutdown(this.name, builder.shutdownTimeout, this.admission, this.workers, this.lanes,
				this.threads, this.failures, this.counters);
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
		return this.counters.snapshot();
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
		this.shutdown.close();
	}

	@Override
	public String toString() {
		return "AsyncEngine '" + this.name + "' " + stats();
	}

	// For templates: the public operations with a deadline, a template and an
	// observation of their own

	@SuppressWarnings("unchecked")
	<T> CompletableFuture<T> submit(ConnectionCallback<T> work, Deadline deadline) {
		UpdateCoalescer coalescer = this.coalescer;
		if (coalescer != null && work instanceof SqlWork<?> described
				&& described.work() instanceof CoalescibleUpdate update) {
			EngineOperation.Body<Integer> body = (operation) -> coalescer.run(operation, update);
			return submit((EngineOperation.Body<T>) (EngineOperation.Body<?>) body, deadline, false,
					this.observations.forWork(work), update);
		}
		return submit((operation) -> this.binding.runPooled(operation, work), deadline, false,
				this.observations.forWork(work), null);
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
		return submit((operation) -> this.lanes.open(operation, deadline, jdbcTemplate, opener), deadline, true,
				observation, null);
	}

	/**
	 * Admit a new operation: run it now, queue it, or fail it at once.
	 */
	private <T> CompletableFuture<T> submit(EngineOperation.Body<T> body, Deadline deadline, boolean keepsPermit,
			OperationObservation observation, @Nullable CoalescibleUpdate update) {
		EngineOperation<T> operation = EngineOperation.create(this, body, deadline, false, keepsPermit);
		operation.update = update;
		observation.attach(operation);
		this.counters.watch(operation);
		switch (this.admission.admit(operation)) {
			case RUN -> this.workers.dispatch(operation);
			case QUEUED -> {
				// A permit may have come free as the operation joined the queue.
				EngineOperation<?> claimed;
				while ((claimed = this.admission.claim()) != null) {
					this.workers.dispatch(claimed);
				}
			}
			case FULL -> this.counters.reject(operation, this.failures.saturated());
			case CLOSED -> this.counters.reject(operation, this.failures.closed("is closed and accepts no new work"));
		}
		return operation.future;
	}

}
