package io.asyncsql.autoconfigure.health;

import java.time.Duration;

import io.asyncsql.health.AsyncEngineHealthIndicator;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the async-sql health indicators.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("management.health.async-sql")
public class AsyncSqlHealthIndicatorProperties {

	/**
	 * Longest time a health check may take, including the wait for a permit, before the
	 * engine is reported down.
	 */
	private Duration timeout = AsyncEngineHealthIndicator.DEFAULT_TIMEOUT;

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

}
