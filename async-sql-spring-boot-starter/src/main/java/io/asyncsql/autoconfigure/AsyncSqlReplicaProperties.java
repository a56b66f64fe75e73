package io.asyncsql.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationUnit;

/**
 * Read replica that the template's read-only views run on, with its own pool and engine.
 *
 * @since 0.1.0
 */
public class AsyncSqlReplicaProperties {

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
	 * Time reads skip a reader found down (on the primary with fallback, failing at once
	 * without) before one tries it again.
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
