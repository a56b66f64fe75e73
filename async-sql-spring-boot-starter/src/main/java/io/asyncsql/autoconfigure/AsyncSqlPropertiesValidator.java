package io.asyncsql.autoconfigure;

import java.time.Duration;

import io.asyncsql.ThreadMode;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.system.JavaVersion;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The one place where {@code async-sql.*} values are checked, so that a bad one is
 * reported by property name, through Spring Boot's
 * {@link InvalidConfigurationPropertyValueException} and its failure analysis, rather
 * than as a failed assertion inside the engine. Each group is checked when a bean that
 * uses it is created: the engine's and the template's with the auto-configured engine,
 * the template's again with the auto-configured template, the reader's with the reader.
 */
final class AsyncSqlPropertiesValidator {

	private static final String RETRY = "async-sql.transaction.retry.";

	private final AsyncSqlProperties properties;

	private final Environment environment;

	AsyncSqlPropertiesValidator(AsyncSqlProperties properties, Environment environment) {
		this.properties = properties;
		this.environment = environment;
	}

	void validateEngine() {
		if (!StringUtils.hasText(this.properties.getName())) {
			throw invalid("async-sql.name", this.properties.getName(), "it must not be empty",
					"Set async-sql.name to the name the engine's threads and meters carry, or remove it to use "
							+ "'main'.");
		}
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

	void validateTemplate() {
		Duration queryTimeout = this.properties.getQueryTimeout();
		if (queryTimeout != null && queryTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
			throw invalid("async-sql.query-timeout", queryTimeout,
					"it must be at least 1 second, as JDBC query timeouts are whole seconds",
					"Set async-sql.query-timeout to 1s or more, or remove it to keep the JdbcTemplate's "
							+ "(spring.jdbc.template.query-timeout).");
		}
		AsyncSqlTransactionProperties.Retry retry = this.properties.getTransaction().getRetry();
		if (retry.getMaxRetries() < 0) {
			throw invalid(RETRY + "max-retries", retry.getMaxRetries(), "it must not be negative",
					"Set " + RETRY + "max-retries to 0 or more, or remove it to use the default of 3.");
		}
		requireNotNegative(RETRY + "delay", retry.getDelay(), "50ms");
		requireNotNegative(RETRY + "jitter", retry.getJitter(), "25ms");
		if (retry.getJitter().compareTo(retry.getDelay()) > 0) {
			throw invalid(RETRY + "jitter", retry.getJitter(),
					"it must not be greater than " + RETRY + "delay (" + retry.getDelay() + ")",
					"Lower " + RETRY + "jitter or raise " + RETRY + "delay.");
		}
		if (!(retry.getMultiplier() >= 1.0)) {
			throw invalid(RETRY + "multiplier", retry.getMultiplier(), "it must be 1 or greater", "Set " + RETRY
					+ "multiplier to 1 (a fixed back-off) or more, or remove it to use the default " + "of 2.");
		}
		if (retry.getMaxDelay().compareTo(retry.getDelay()) < 0) {
			throw invalid(RETRY + "max-delay", retry.getMaxDelay(),
					"it must not be less than " + RETRY + "delay (" + retry.getDelay() + ")",
					"Raise " + RETRY + "max-delay or lower " + RETRY + "delay.");
		}
	}

	void validateReplica() {
		AsyncSqlReplicaProperties replica = this.properties.getReplica();
		if (!StringUtils.hasText(replica.getUrl()) || !replica.getUrl().startsWith("jdbc:")) {
			throw invalid("async-sql.replica.url", String.valueOf(replica.getUrl()), "it must be a JDBC URL (jdbc:...)",
					"Set async-sql.replica.url to the JDBC URL of the read replica, or remove it for no reader.");
		}
		Integer poolSize = replica.getPoolSize();
		if (poolSize != null && poolSize <= 0) {
			throw invalid("async-sql.replica.pool-size", poolSize, "it must be greater than 0",
					"Set async-sql.replica.pool-size to the reader's number of connections, or remove it to use "
							+ "the primary pool's size.");
		}
		if (replica.getConnectionTimeout().toMillis() < 250) {
			throw invalid("async-sql.replica.connection-timeout", replica.getConnectionTimeout(),
					"it must be at least 250ms, HikariCP's least",
					"Set async-sql.replica.connection-timeout to 250ms or more, or remove it to use the default "
							+ "of 5s.");
		}
		requirePositive("async-sql.replica.recheck-after", replica.getRecheckAfter(), "5s");
	}

	private void requirePositive(String property, Duration value, String defaultValue) {
		if (value.isZero() || value.isNegative()) {
			throw invalid(property, value, "it must be positive", "Set " + property
					+ " to a positive duration, or remove it to use the default of " + defaultValue + ".");
		}
	}

	private void requireNotNegative(String property, Duration value, String defaultValue) {
		if (value.isNegative()) {
			throw invalid(property, value, "it must not be negative",
					"Set " + property + " to 0 or more, or remove it to use the default of " + defaultValue + ".");
		}
	}

	/**
	 * Report the value as the user wrote it ({@code 500ms}, not {@code PT0.5S}) where the
	 * environment still has it, with the fix after the reason, since Spring Boot's
	 * analysis shows the reason and offers a generic action.
	 */
	private InvalidConfigurationPropertyValueException invalid(String property, Object value, String reason,
			String action) {
		String written = this.environment.getProperty(property);
		return new InvalidConfigurationPropertyValueException(property, (written != null) ? written : value,
				reason + ". " + action);
	}

}
