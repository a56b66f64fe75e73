package io.asyncsql;

import java.time.Duration;

import javax.sql.DataSource;

import io.asyncsql.observation.AsyncSqlObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.TaskDecorator;
import org.springframework.util.Assert;

/**
 * Builder of {@link AsyncEngine} instances, from {@link AsyncEngine#builder(DataSource)}.
 *
 * @since 0.1.0
 */
public final class AsyncEngineBuilder {

	private static final Log logger = LogFactory.getLog(AsyncEngineBuilder.class);

	private static final AsyncEngineListener NO_LISTENER = new AsyncEngineListener() {
	};

	final DataSource dataSource;

	String name = "main";

	@Nullable Integer maxConcurrency;

	int queueCapacity = 10_000;

	Duration queueTimeout = Duration.ofSeconds(30);

	ThreadMode threadMode = ThreadMode.AUTO;

	Duration shutdownTimeout = Duration.ofSeconds(30);

	Duration streamIdleTimeout = Duration.ofSeconds(60);

	@Nullable Duration streamMaxLifetime;

	@Nullable Duration leakDetectionThreshold;

	@Nullable TaskDecorator taskDecorator;

	AsyncEngineListener listener = NO_LISTENER;

	boolean batching;

	int batchMaxSize = 64;

	// Micrometer is optional: these stay null, and its types unloaded, unless set.

	@Nullable ObservationRegistry observationRegistry;

	@Nullable AsyncSqlObservationConvention observationConvention;

	AsyncEngineBuilder(DataSource dataSource) {
		Assert.notNull(dataSource, "'dataSource' must not be null");
		this.dataSource = dataSource;
	}

	/**
	 * Set the engine's name, used in thread names, messages and meter tags.
	 * @param name the name; default {@code main}
	 * @return this builder
	 */
	public AsyncEngineBuilder name(String name) {
		Assert.hasText(name, "'name' must not be empty");
		this.name = name;
		return this;
	}

	/**
	 * Set how many operations may use the database at once. Default: the maximum size of
	 * a HikariCP pool, otherwise 10. Keep it at or below the pool's size.
	 * @param maxConcurrency the number of permits, greater than zero
	 * @return this builder
	 */
	public AsyncEngineBuilder maxConcurrency(int maxConcurrency) {
		Assert.isTrue(maxConcurrency > 0, () -> "'maxConcurrency' must be greater than 0, but was " + maxConcurrency);
		this.maxConcurrency = maxConcurrency;
		return this;
	}

	/**
	 * Set how many operations may wait for a permit before new ones are refused.
	 * @param queueCapacity the capacity, greater than zero; default 10,000
	 * @return this builder
	 */
	public AsyncEngineBuilder queueCapacity(int queueCapacity) {
		Assert.isTrue(queueCapacity > 0, () -> "'queueCapacity' must be greater than 0, but was " + queueCapacity);
		this.queueCapacity = queueCapacity;
		return this;
	}

	/**
	 * Set the longest an operation waits for a permit before it fails with
	 * {@link QueueTimeoutException}.
	 * @param queueTimeout a positive duration; default 30 seconds
	 * @return this builder
	 */
	public AsyncEngineBuilder queueTimeout(Duration queueTimeout) {
		Assert.notNull(queueTimeout, "'queueTimeout' must not be null");
		Assert.isTrue(queueTimeout.compareTo(Duration.ZERO) > 0,
				() -> "'queueTimeout' must be positive, but was " + queueTimeout);
		this.queueTimeout = queueTimeout;
		return this;
	}

	/**
	 * Set the kind of threads that run the work.
	 * @param threadMode the thread mode; default {@link ThreadMode#AUTO}
	 * @return this builder
	 */
	public AsyncEngineBuilder threadMode(ThreadMode threadMode) {
		Assert.notNull(threadMode, "'threadMode' must not be null");
		this.threadMode = threadMode;
		return this;
	}

	/**
	 * Set how long {@link AsyncEngine#close()} lets queued and running work finish before
	 * cancelling it.
	 * @param shutdownTimeout zero or a positive duration; default 30 seconds
	 * @return this builder
	 */
	public AsyncEngineBuilder shutdownTimeout(Duration shutdownTimeout) {
		Assert.notNull(shutdownTimeout, "'shutdownTimeout' must not be null");
		Assert.isTrue(!shutdownTimeout.isNegative(),
				() -> "'shutdownTimeout' must not be negative, but was " + shutdownTimeout);
		this.shutdownTimeout = shutdownTimeout;
		return this;
	}

	/**
	 * Set how long a stream may hold its connection while its subscriber requests
	 * nothing; then the stream is cancelled with {@link StreamTimeoutException}.
	 * @param streamIdleTimeout a positive duration; default 60 seconds
	 * @return this builder
	 */
	public AsyncEngineBuilder streamIdleTimeout(Duration streamIdleTimeout) {
		Assert.notNull(streamIdleTimeout, "'streamIdleTimeout' must not be null");
		Assert.isTrue(streamIdleTimeout.compareTo(Duration.ZERO) > 0,
				() -> "'streamIdleTimeout' must be positive, but was " + streamIdleTimeout);
		this.streamIdleTimeout = streamIdleTimeout;
		return this;
	}

	/**
	 * Set the longest a stream may hold its connection, whatever its demand; then the
	 * stream is cancelled with {@link StreamTimeoutException}.
	 * @param streamMaxLifetime a positive duration, or {@code null} for no limit (the
	 * default)
	 * @return this builder
	 */
	public AsyncEngineBuilder streamMaxLifetime(@Nullable Duration streamMaxLifetime) {
		Assert.isTrue(streamMaxLifetime == null || streamMaxLifetime.compareTo(Duration.ZERO) > 0,
				() -> "'streamMaxLifetime' must be positive, but was " + streamMaxLifetime);
		this.streamMaxLifetime = streamMaxLifetime;
		return this;
	}

	/**
	 * Set how long a connection, transaction or stream may hold its connection before it
	 * is logged as a possible leak, at WARN with the stack of the caller that opened it,
	 * and counted in {@link EngineStats#leaks()}; one that is released later is logged at
	 * INFO. Like HikariCP's {@code leakDetectionThreshold}, it is meant for production:
	 * an engine without it captures nothing, and with it each connection, transaction or
	 * stream costs a stack capture (microseconds) and a timer.
	 * @param leakDetectionThreshold a positive duration, or {@code null} or zero for no
	 * leak detection (the default)
	 * @return this builder
	 */
	public AsyncEngineBuilder leakDetectionThreshold(@Nullable Duration leakDetectionThreshold) {
		Assert.isTrue(leakDetectionThreshold == null || !leakDetectionThreshold.isNegative(),
				() -> "'leakDetectionThreshold' must not be negative, but was " + leakDetectionThreshold
						+ "; use null or zero to turn leak detection off");
		this.leakDetectionThreshold = (leakDetectionThreshold != null && !leakDetectionThreshold.isZero())
				? leakDetectionThreshold : null;
		return this;
	}

	/**
	 * Set whether queued auto-commit updates of the same SQL are coalesced: the worker
	 * that takes an {@link AsyncJdbcOperations#update update} (or an
	 * {@link AsyncJdbcClient} {@code update()} without key retrieval) also takes the
	 * updates of the same SQL text waiting in the queue at that moment, up to
	 * {@link #batchMaxSize(int)}, and runs them as one JDBC batch in a transaction of its
	 * own. It never waits for more: with an empty queue an update runs alone. Each caller
	 * gets the count or the exception its update would have had alone; a batch that fails
	 * is rolled back and its updates run again one by one. Updates in a connection or
	 * transaction are never coalesced. A batch runs inside the task decorator of the
	 * update that leads it. See {@code docs/batching.md}.
	 * @param batching whether to coalesce; default {@code false}
	 * @return this builder
	 */
	public AsyncEngineBuilder batching(boolean batching) {
		this.batching = batching;
		return this;
	}

	/**
	 * Set the most updates one batch holds when {@link #batching(boolean) batching}.
	 * @param batchMaxSize the size, at least 2; default 64
	 * @return this builder
	 */
	public AsyncEngineBuilder batchMaxSize(int batchMaxSize) {
		Assert.isTrue(batchMaxSize >= 2, () -> "'batchMaxSize' must be at least 2, but was " + batchMaxSize);
		this.batchMaxSize = batchMaxSize;
		return this;
	}

	/**
	 * Set a decorator applied to every operation, captured on the submitting thread, e.g.
	 * to carry MDC or tracing context onto engine threads.
	 * @param taskDecorator the decorator, or {@code null} for none
	 * @return this builder
	 */
	public AsyncEngineBuilder taskDecorator(@Nullable TaskDecorator taskDecorator) {
		this.taskDecorator = taskDecorator;
		return this;
	}

	/**
	 * Set a listener told of each operation's start and end, e.g. for metrics.
	 * @param listener the listener
	 * @return this builder
	 */
	public AsyncEngineBuilder listener(AsyncEngineListener listener) {
		Assert.notNull(listener, "'listener' must not be null");
		this.listener = listener;
		return this;
	}

	/**
	 * Set the registry in which each operation is observed (see
	 * {@link io.asyncsql.observation.AsyncSqlObservationDocumentation}): an observation
	 * from submission to the operation's end, whose parent is the caller's current
	 * observation, with children for the wait for a permit and the execution, the
	 * execution's scope open on the engine thread while JDBC runs. Needs Micrometer's
	 * {@code micrometer-observation} on the classpath.
	 * @param observationRegistry the registry, or {@code null} for no observations (the
	 * default)
	 * @return this builder
	 */
	public AsyncEngineBuilder observationRegistry(@Nullable ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
		return this;
	}

	/**
	 * Set the convention that names operations' observations and gives their keys, in
	 * place of {@link io.asyncsql.observation.DefaultAsyncSqlObservationConvention}.
	 * @param observationConvention the convention, or {@code null} for the default
	 * @return this builder
	 */
	public AsyncEngineBuilder observationConvention(@Nullable AsyncSqlObservationConvention observationConvention) {
		this.observationConvention = observationConvention;
		return this;
	}

	/**
	 * Build the engine.
	 * @return a new engine, ready to accept work
	 * @throws IllegalStateException if {@link ThreadMode#VIRTUAL} is asked for on a JVM
	 * older than Java 21, or the listener refuses the engine
	 */
	public AsyncEngine build() {
		ThreadMode mode = switch (this.threadMode) {
			case AUTO -> VirtualThreads.isAvailable() ? ThreadMode.VIRTUAL : ThreadMode.PLATFORM;
			case VIRTUAL -> {
				Assert.state(VirtualThreads.isAvailable(),
						() -> "ThreadMode.VIRTUAL needs Java 21 or later, but this JVM is Java "
								+ Runtime.version().feature() + "; use ThreadMode.PLATFORM or AUTO");
				yield ThreadMode.VIRTUAL;
			}
			case PLATFORM -> ThreadMode.PLATFORM;
		};
		Integer poolSize = PoolSize.maximumOf(this.dataSource);
		int permits = (this.maxConcurrency != null) ? this.maxConcurrency : (poolSize != null) ? poolSize : 10;
		if (poolSize != null && permits > poolSize) {
			logger.warn("async-sql engine '" + this.name + "' allows " + permits
					+ " operations at once but its pool has only " + poolSize
					+ " connections: operations will wait inside the pool; lower async-sql.executor.max-concurrency");
		}
		AsyncEngine engine = new AsyncEngine(this, mode, permits);
		try {
			this.listener.engineBuilt(engine);
		}
		catch (RuntimeException ex) {
			engine.close();
			throw ex;
		}
		return engine;
	}

}
