package io.asyncsql.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationUnit;

/**
 * Spring transactions on the engine, and the transactions of the auto-configured
 * template.
 *
 * @since 0.1.0
 */
public class AsyncSqlTransactionProperties {

	/**
	 * Whether @Transactional methods that return a reactive type (Mono, Flux, a Kotlin
	 * suspend function) and name no transaction manager run in async-sql transactions,
	 * while other @Transactional methods keep the default transaction manager.
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
