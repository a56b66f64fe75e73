package io.asyncsql.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import io.asyncsql.ThreadMode;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.convert.DurationUnit;

/**
 * Configuration properties of the auto-configured {@link io.asyncsql.AsyncEngine} and
 * {@link io.asyncsql.AsyncJdbcTemplate}.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("async-sql")
public class AsyncSqlProperties {

	/**
	 * Whether to auto-configure the async-sql engine and its templates.
	 */
	private boolean enabled = true;

	/**
	 * Name of the auto-configured engine, seen in its thread names, failure messages,
	 * meter tags and health details.
	 */
	private String name = "main";

	/**
	 * JDBC query timeout applied to every statement of the auto-configured template. If a
	 * duration suffix is not specified, seconds will be used. Default is the context's
	 * JdbcTemplate setting (spring.jdbc.template.query-timeout), else the driver's.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private @Nullable Duration queryTimeout;

	/**
	 * Time a connection, transaction or stream may be held before a possible leak is
	 * logged, with the stack of the caller that opened it.
	 */
	private @Nullable Duration leakDetectionThreshold;

	private final Executor executor = new Executor();

	private final Queue queue = new Queue();

	private final Shutdown shutdown = new Shutdown();

	private final Stream stream = new Stream();

	private final Observation observation = new Observation();

	@NestedConfigurationProperty
	private final AsyncSqlReplicaProperties replica = new AsyncSqlReplicaProperties();

	@NestedConfigurationProperty
	private final AsyncSqlTransactionProperties transaction = new AsyncSqlTransactionProperties();

	private final Batching batching = new Batching();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public @Nullable Duration getQueryTimeout() {
		return this.queryTimeout;
	}

	public void setQueryTimeout(@Nullable Duration queryTimeout) {
		this.queryTimeout = queryTimeout;
	}

	public @Nullable Duration getLeakDetectionThreshold() {
		return this.leakDetectionThreshold;
	}

	public void setLeakDetectionThreshold(@Nullable Duration leakDetectionThreshold) {
		this.leakDetectionThreshold = leakDetectionThreshold;
	}

	public Executor getExecutor() {
		return this.executor;
	}

	public Queue getQueue() {
		return this.queue;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public Stream getStream() {
		return this.stream;
	}

	public Observation getObservation() {
		return this.observation;
	}

	public AsyncSqlReplicaProperties getReplica() {
		return this.replica;
	}

	public AsyncSqlTransactionProperties getTransaction() {
		return this.transaction;
	}

	public Batching getBatching() {
		return this.batching;
	}

	/**
	 * Threads that run the blocking JDBC work.
	 */
	public static class Executor {

		/**
		 * Kind of thread that runs the work: 'platform', 'virtual' (Java 21+), or 'auto'
		 * for virtual threads wherever the JVM has them. Default follows
		 * spring.threads.virtual.enabled, as Spring Boot's own executors do: 'auto' when
		 * it is true, 'platform' otherwise.
		 */
		private @Nullable ThreadMode threadMode;

		/**
		 * Maximum number of operations on the database at once. Default is the connection
		 * pool's maximum size when the pool tells it (HikariCP), else 10.
		 */
		private @Nullable Integer maxConcurrency;

		public @Nullable ThreadMode getThreadMode() {
			return this.threadMode;
		}

		public void setThreadMode(@Nullable ThreadMode threadMode) {
			this.threadMode = threadMode;
		}

		public @Nullable Integer getMaxConcurrency() {
			return this.maxConcurrency;
		}

		public void setMaxConcurrency(@Nullable Integer maxConcurrency) {
			this.maxConcurrency = maxConcurrency;
		}

	}

	/**
	 * Operations waiting for a free permit.
	 */
	public static class Queue {

		/**
		 * Maximum number of waiting operations before new ones are refused.
		 */
		private int capacity = 10_000;

		/**
		 * Longest time an operation may wait for a permit before it fails.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public int getCapacity() {
			return this.capacity;
		}

		public void setCapacity(int capacity) {
			this.capacity = capacity;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Coalescing of queued auto-commit updates of the same SQL into JDBC batches.
	 */
	public static class Batching {

		/**
		 * Whether a worker that takes an update also runs the queued updates of the same
		 * SQL with it, as one JDBC batch. It never waits for more: with nothing queued,
		 * an update runs alone.
		 */
		private boolean enabled;

		/**
		 * Maximum number of updates in one batch.
		 */
		private int maxSize = 64;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(int maxSize) {
			this.maxSize = maxSize;
		}

	}

	/**
	 * Graceful shutdown of the engine when the application context closes.
	 */
	public static class Shutdown {

		/**
		 * Time queued and running operations are given to finish at shutdown before the
		 * rest are cancelled.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Streamed query results.
	 */
	public static class Stream {

		/**
		 * Time a stream's subscriber may request nothing before the stream is cancelled
		 * and its connection released.
		 */
		private Duration idleTimeout = Duration.ofSeconds(60);

		/**
		 * Longest time a stream may hold its connection. Default is no limit.
		 */
		private @Nullable Duration maxLifetime;

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public @Nullable Duration getMaxLifetime() {
			return this.maxLifetime;
		}

		public void setMaxLifetime(@Nullable Duration maxLifetime) {
			this.maxLifetime = maxLifetime;
		}

	}

	/**
	 * Observations of operations.
	 */
	public static class Observation {

		/**
		 * Time from submission to end over which an operation is logged at WARN level,
		 * with its SQL text, wait time and execution time (never its parameters). Default
		 * is no slow-operation log.
		 */
		private @Nullable Duration slowThreshold;

		public @Nullable Duration getSlowThreshold() {
			return this.slowThreshold;
		}

		public void setSlowThreshold(@Nullable Duration slowThreshold) {
			this.slowThreshold = slowThreshold;
		}

	}

}
