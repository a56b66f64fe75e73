package io.asyncsql.autoconfigure;

import java.time.Duration;

import javax.sql.DataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncEngineBuilder;
import io.asyncsql.ThreadMode;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.system.JavaVersion;
import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;

/**
 * Turns {@link AsyncSqlProperties} into an {@link AsyncEngineBuilder}, checking each
 * value first so that a bad one is reported by property name rather than as a failed
 * assertion inside the engine.
 */
final class AsyncEngineFactory {

	/**
	 * Name of the auto-configured engine, seen in thread names, messages and meter tags.
	 */
	static final String ENGINE_NAME = "main";

	private final AsyncSqlProperties properties;

	private final Environment environment;

	AsyncEngineFactory(AsyncSqlProperties properties, Environment environment) {
		this.properties = properties;
		this.environment = environment;
	}

	AsyncEngineBuilder builder(DataSource dataSource, @Nullable TaskDecorator taskDecorator) {
		validate();
		AsyncSqlProperties.Executor executor = this.properties.getExecutor();
		AsyncEngineBuilder builder = AsyncEngine.builder(dataSource)
			.name(ENGINE_NAME)
			.threadMode(threadMode())
			.queueCapacity(this.properties.getQueue().getCapacity())
			.queueTimeout(this.properties.getQueue().getTimeout())
			.shutdownTimeout(this.properties.getShutdown().getTimeout())
			.streamIdleTimeout(this.properties.getStream().getIdleTimeout())
			.streamMaxLifetime(this.properties.getStream().getMaxLifetime())
			.leakDetectionThreshold(this.properties.getLeakDetectionThreshold())
			.batching(this.properties.getBatching().isEnabled())
			.batchMaxSize(this.properties.getBatching().getMaxSize())
			.taskDecorator(taskDecorator);
		if (executor.getMaxConcurrency() != null) {
			builder.maxConcurrency(executor.getMaxConcurrency());
		}
		return builder;
	}

	/**
	 * Resolve {@code auto} the way Spring Boot resolves its own executors: virtual
	 * threads only when the application asked for them with
	 * {@code spring.threads.virtual.enabled}.
	 */
	private ThreadMode threadMode() {
		ThreadMode mode = this.properties.getExecutor().getThreadMode();
		if (mode != ThreadMode.AUTO) {
			return mode;
		}
		return Threading.VIRTUAL.isActive(this.environment) ? ThreadMode.VIRTUAL : ThreadMode.PLATFORM;
	}

	void validate() {
		AsyncSqlProperties.Executor executor = this.properties.getExecutor();
		Integer maxConcurrency = executor.getMaxConcurrency();
		if (maxConcurrency != null && maxConcurrency <= 0) {
			throw invalid("async-sql.executor.max-concurrency", maxConcurrency, "it must be greater than 0",
					"Set async-sql.executor.max-concurrency to at most the connection pool's maximum size, "
							+ "or remove it to use the pool's size.");
		}
		if (executor.getThreadMode() == ThreadMode.VIRTUAL
				&& !JavaVersion.getJavaVersion().isEqualOrNewerThan(JavaVersion.TWENTY_ONE)) {
			throw invalid("async-sql.executor.thread-mode", "virtual",
					"virtual threads need Java 21 or later, but this JVM is Java " + Runtime.version().feature(),
					"Run the application on Java 21 or later, or set async-sql.executor.thread-mode to 'auto' "
							+ "or 'platform'.");
		}
		int capacity = this.properties.getQueue().getCapacity();
		if (capacity <= 0) {
			throw invalid("async-sql.queue.capacity", capacity, "it must be greater than 0",
					"Set async-sql.queue.capacity to the number of operations that "
							+ "may wait for a permit, or remove it to use the default of 10000.");
		}
		requirePositive("async-sql.queue.timeout", this.properties.getQueue().getTimeout(), "30s");
		int batchMaxSize = this.properties.getBatching().getMaxSize();
		if (batchMaxSize < 2) {
			throw invalid("async-sql.batching.max-size", batchMaxSize, "it must be at least 2",
					"Set async-sql.batching.max-size to the most updates one batch may hold, or remove it to use "
							+ "the default of 64; to turn batching off, set async-sql.batching.enabled=false.");
		}
		Duration shutdownTimeout = this.properties.getShutdown().getTimeout();
		if (shutdownTimeout.isNegative()) {
			throw invalid("async-sql.shutdown.timeout", shutdownTimeout, "it must not be negative",
					"Set async-sql.shutdown.timeout to 0s (cancel at once) or a "
							+ "positive duration, or remove it to use the default of 30s.");
		}
		requirePositive("async-sql.stream.idle-timeout", this.properties.getStream().getIdleTimeout(), "60s");
		Duration maxLifetime = this.properties.getStream().getMaxLifetime();
		if (maxLifetime != null && (maxLifetime.isZero() || maxLifetime.isNegative())) {
			throw invalid("async-sql.stream.max-lifetime", maxLifetime, "it must be positive",
					"Set async-sql.stream.max-lifetime to a positive duration, or remove it for no limit.");
		}
		Duration leakDetectionThreshold = this.properties.getLeakDetectionThreshold();
		if (leakDetectionThreshold != null
				&& (leakDetectionThreshold.isZero() || leakDetectionThreshold.isNegative())) {
			throw invalid("async-sql.leak-detection-threshold", leakDetectionThreshold, "it must be positive",
					"Set async-sql.leak-detection-threshold to a positive duration, longer than connections and "
							+ "transactions are meant to be held, or remove it to turn leak detection off.");
		}
	}

	/**
	 * Return {@code async-sql.query-timeout} as the whole seconds JDBC takes.
	 * @return the timeout in seconds, or {@code null} when not set
	 */
	@Nullable Integer queryTimeoutSeconds() {
		Duration queryTimeout = this.properties.getQueryTimeout();
		if (queryTimeout == null) {
			return null;
		}
		if (queryTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
			throw invalid("async-sql.query-timeout", queryTimeout,
					"it must be at least 1 second, as JDBC query timeouts are whole seconds",
					"Set async-sql.query-timeout to 1s or more, or remove it to keep the JdbcTemplate's "
							+ "(spring.jdbc.template.query-timeout).");
		}
		return (int) Math.min(Integer.MAX_VALUE, queryTimeout.toSeconds());
	}

	/**
	 * Report the value as the user wrote it ({@code 500ms}, not {@code PT0.5S}) where the
	 * environment still has it.
	 */
	InvalidAsyncSqlPropertyException invalid(String property, Object value, String reason, String action) {
		String written = this.environment.getProperty(property);
		return new InvalidAsyncSqlPropertyException(property, (written != null) ? written : value, reason, action);
	}

	void requirePositive(String property, Duration value, String defaultValue) {
		if (value.isZero() || value.isNegative()) {
			throw invalid(property, value, "it must be positive", "Set " + property
					+ " to a positive duration, or remove it to use the default of " + defaultValue + ".");
		}
	}

}
