package io.asyncsql.health;

import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.asyncsql.AsyncEngine;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import io.asyncsql.EngineStats;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.util.Assert;

/**
 * {@link HealthIndicator} of an {@link AsyncEngine}: down when the engine is closed or a
 * connection it runs does not validate, with the engine's {@link EngineStats} and the
 * pool's figures as details. Details never carry the JDBC URL or credentials, nor the
 * database's error messages, which may name them.
 * <p>
 * Validation goes through the engine, like any other operation, so it never waits inside
 * the pool; it is bounded by a timeout and cancelled when that runs out.
 *
 * @since 0.1.0
 */
public class AsyncEngineHealthIndicator extends AbstractHealthIndicator {

	private static final Log logger = LogFactory.getLog(AsyncEngineHealthIndicator.class);

	/**
	 * Timeout of a health check when none is given.
	 */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

	private final AsyncEngine engine;

	private final @Nullable DataSourcePoolMetadataProvider poolMetadataProvider;

	private final Duration timeout;

	/**
	 * Create an indicator for the given engine, without pool figures.
	 * @param engine the engine to check
	 */
	public AsyncEngineHealthIndicator(AsyncEngine engine) {
		this(engine, null, DEFAULT_TIMEOUT);
	}

	/**
	 * Create an indicator for the given engine.
	 * @param engine the engine to check
	 * @param poolMetadataProvider the provider of the pool's figures, or {@code null} for
	 * none
	 * @param timeout longest a validation may take, queue wait included
	 */
	public AsyncEngineHealthIndicator(AsyncEngine engine, @Nullable DataSourcePoolMetadataProvider poolMetadataProvider,
			Duration timeout) {
		Assert.notNull(engine, "'engine' must not be null");
		Assert.notNull(timeout, "'timeout' must not be null");
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, () -> "'timeout' must be positive, but was " + timeout);
		this.engine = engine;
		this.poolMetadataProvider = poolMetadataProvider;
		this.timeout = timeout;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("name", this.engine.getName()).withDetail("threadMode", this.engine.getThreadMode());
		try {
			if (this.engine.isClosed()) {
				builder.down().withDetail("closed", true);
			}
			else {
				builder.status(isValid() ? Status.UP : Status.DOWN);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			builder.down().withDetail("error", describe(ex));
		}
		catch (Exception ex) {
			// Driver messages can name the user or the host ("Access denied for user
			// 'app'@'10.0.0.7'"): the log gets the whole failure, the details only its
			// type and SQL state.
			logger.warn("async-sql engine '" + this.engine.getName() + "' health check failed", ex);
			builder.down().withDetail("error", describe(ex));
		}
		finally {
			// Figures after validation, which starts a lazy pool; kept when it throws.
			builder.withDetails(engineDetails(this.engine.stats()));
			Map<String, Object> pool = poolDetails();
			if (!pool.isEmpty()) {
				builder.withDetail("pool", pool);
			}
		}
	}

	private boolean isValid() throws Exception {
		int seconds = (int) Math.max(1, this.timeout.toSeconds());
		CompletableFuture<Boolean> validation = this.engine.execute((connection) -> connection.isValid(seconds));
		try {
			return Boolean.TRUE.equals(validation.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS));
		}
		catch (TimeoutException ex) {
			validation.cancel(true);
			throw new TimeoutException("Validation did not complete within " + this.timeout);
		}
		catch (ExecutionException ex) {
			// Report the engine's own failure, not the wrapper.
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

	private static String describe(Throwable failure) {
		StringBuilder description = new StringBuilder(failure.getClass().getName());
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sqlException && sqlException.getSQLState() != null) {
				description.append(" (SQL state ").append(sqlException.getSQLState()).append(')');
				break;
			}
		}
		return description.toString();
	}

	private static Map<String, Object> engineDetails(EngineStats stats) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("active", stats.active());
		details.put("queued", stats.queued());
		details.put("maxConcurrency", stats.maxConcurrency());
		details.put("queueCapacity", stats.queueCapacity());
		details.put("saturated", stats.isSaturated());
		details.put("completed", stats.completed());
		details.put("failed", stats.failed());
		details.put("rejected", stats.rejected());
		details.put("cancelled", stats.cancelled());
		details.put("leaks", stats.leaks());
		return details;
	}

	private Map<String, Object> poolDetails() {
		Map<String, Object> details = new LinkedHashMap<>();
		DataSourcePoolMetadata metadata = (this.poolMetadataProvider != null)
				? this.poolMetadataProvider.getDataSourcePoolMetadata(this.engine.getDataSource()) : null;
		if (metadata != null) {
			putIfKnown(details, "active", metadata.getActive());
			putIfKnown(details, "idle", metadata.getIdle());
			putIfKnown(details, "max", metadata.getMax());
			putIfKnown(details, "min", metadata.getMin());
		}
		return details;
	}

	private static void putIfKnown(Map<String, Object> details, String key, @Nullable Object value) {
		if (value != null) {
			details.put(key, value);
		}
	}

}
