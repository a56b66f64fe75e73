package io.asyncsql.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import io.asyncsql.ThreadMode;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
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
	 * JDBC query timeout applied to every statement of the auto-configured template. If a
	 * duration suffix is not specified, seconds will be used. Default is the context's
	 * JdbcTemplate setting (spring.jdbc.template.query-timeout), else the driver's.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private @Nullable Duration queryTimeout;

	private final Executor executor = new Executor();

	private final Queue queue = new Queue();

	private final Shutdown shutdown = new Shutdown();

	private final Stream stream = new Stream();

	private final Observation observation = new Observation();

	private final Transaction transaction = new Transaction();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable Duration getQueryTimeout() {
		return this.queryTimeout;
	}

	public void setQueryTimeout(@Nullable Duration queryTimeout) {
		this.queryTimeout = queryTimeout;
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

	public Transaction getTransaction() {
		return this.transaction;
	}

	/**
	 * Threads that run the blocking JDBC work.
	 */
	public static class Executor {

		/**
		 * Kind of thread that runs the work. With 'auto', virtual threads are used when
		 * spring.threads.virtual.enabled is true and the JVM has them (Java 21+),
		 * platform threads otherwise.
		 */
		private ThreadMode threadMode = ThreadMode.AUTO;

		/**
		 * Maximum number of operations on the database at once. Default is the connection
		 * pool's maximum size when the pool tells it (HikariCP), else 10.
		 */
		private @Nullable Integer maxConcurrency;

		public ThreadMode getThreadMode() {
			return this.threadMode;
		}

		public void setThreadMode(ThreadMode threadMode) {
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

	/**
	 * Spring transactions on the engine.
	 */
	public static class Transaction {

		/**
		 * Whether @Transactional methods that return a reactive type (Mono, Flux, a
		 * Kotlin suspend function) and name no transaction manager run in async-sql
		 * transactions, while other @Transactional methods keep the default transaction
		 * manager.
		 */
		private boolean routeReactiveMethods = true;

		public boolean isRouteReactiveMethods() {
			return this.routeReactiveMethods;
		}

		public void setRouteReactiveMethods(boolean routeReactiveMethods) {
			this.routeReactiveMethods = routeReactiveMethods;
		}

	}

}
