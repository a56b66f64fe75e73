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

	private final Replica replica = new Replica();

	private final Transaction transaction = new Transaction();

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

	public Replica getReplica() {
		return this.replica;
	}

	public Transaction getTransaction() {
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

	/**
	 * Read replica that the template's read-only views run on, with its own pool and
	 * engine.
	 */
	public static class Replica {

		/**
		 * JDBC URL of the read replica. Setting it turns the reader on.
		 */
		private @Nullable String url;

		/**
		 * Login username of the read replica. Default is the primary's
		 * (spring.datasource.username).
		 */
		private @Nullable String username;

		/**
		 * Login password of the read replica. Default is the primary's
		 * (spring.datasource.password).
		 */
		private @Nullable String password;

		/**
		 * Maximum size of the reader's connection pool, which is also its number of
		 * operations on the replica at once. Default is the primary pool's maximum size.
		 */
		private @Nullable Integer poolSize;

		/**
		 * Longest wait for a connection from the replica before a read counts it as down.
		 */
		private Duration connectionTimeout = Duration.ofSeconds(5);

		/**
		 * Whether reads run on the primary when the reader is down or its queue is full.
		 * Writes are never moved.
		 */
		private boolean fallbackToPrimary;

		/**
		 * Time reads skip a reader found down (on the primary with fallback, failing at
		 * once without) before one tries it again.
		 */
		private Duration recheckAfter = Duration.ofSeconds(5);

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public @Nullable Integer getPoolSize() {
			return this.poolSize;
		}

		public void setPoolSize(@Nullable Integer poolSize) {
			this.poolSize = poolSize;
		}

		public Duration getConnectionTimeout() {
			return this.connectionTimeout;
		}

		public void setConnectionTimeout(Duration connectionTimeout) {
			this.connectionTimeout = connectionTimeout;
		}

		public boolean isFallbackToPrimary() {
			return this.fallbackToPrimary;
		}

		public void setFallbackToPrimary(boolean fallbackToPrimary) {
			this.fallbackToPrimary = fallbackToPrimary;
		}

		public Duration getRecheckAfter() {
			return this.recheckAfter;
		}

		public void setRecheckAfter(Duration recheckAfter) {
			this.recheckAfter = recheckAfter;
		}

	}

	/**
	 * Spring transactions on the engine, and the transactions of the auto-configured
	 * template.
	 */
	public static class Transaction {

		/**
		 * Whether @Transactional methods that return a reactive type (Mono, Flux, a
		 * Kotlin suspend function) and name no transaction manager run in async-sql
		 * transactions, while other @Transactional methods keep the default transaction
		 * manager.
		 */
		private boolean routeReactiveMethods = true;

		private final Retry retry = new Retry();

		public boolean isRouteReactiveMethods() {
			return this.routeReactiveMethods;
		}

		public void setRouteReactiveMethods(boolean routeReactiveMethods) {
			this.routeReactiveMethods = routeReactiveMethods;
		}

		public Retry getRetry() {
			return this.retry;
		}

	}

	/**
	 * Retries of whole transactions that fail transiently: serialization failures and
	 * deadlocks (SQL states 40001 and 40P01, MariaDB errors 1213 and 1205).
	 */
	public static class Retry {

		/**
		 * Whether inTransaction of the auto-configured template retries transient
		 * failures.
		 */
		private boolean enabled;

		/**
		 * Maximum number of retries after the first attempt.
		 */
		private long maxRetries = 3;

		/**
		 * Back-off before the first retry.
		 */
		private Duration delay = Duration.ofMillis(50);

		/**
		 * Random amount added to or taken from each back-off, so that transactions that
		 * failed together do not retry together.
		 */
		private Duration jitter = Duration.ofMillis(25);

		/**
		 * Factor each back-off is multiplied by for the next retry.
		 */
		private double multiplier = 2.0;

		/**
		 * Longest back-off between two attempts.
		 */
		private Duration maxDelay = Duration.ofSeconds(1);

		/**
		 * Whether the engine's own transient refusals (queue full, queue timeout) are
		 * retried too.
		 */
		private boolean includeEngineRefusals;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public long getMaxRetries() {
			return this.maxRetries;
		}

		public void setMaxRetries(long maxRetries) {
			this.maxRetries = maxRetries;
		}

		public Duration getDelay() {
			return this.delay;
		}

		public void setDelay(Duration delay) {
			this.delay = delay;
		}

		public Duration getJitter() {
			return this.jitter;
		}

		public void setJitter(Duration jitter) {
			this.jitter = jitter;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

		public boolean isIncludeEngineRefusals() {
			return this.includeEngineRefusals;
		}

		public void setIncludeEngineRefusals(boolean includeEngineRefusals) {
			this.includeEngineRefusals = includeEngineRefusals;
		}

	}

}
