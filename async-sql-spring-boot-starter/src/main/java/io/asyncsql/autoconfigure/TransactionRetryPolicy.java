package io.asyncsql.autoconfigure;

import java.time.Duration;

import io.asyncsql.TransientFailures;
import org.jspecify.annotations.Nullable;

import org.springframework.core.retry.RetryPolicy;

/**
 * Turns {@code async-sql.transaction.retry.*} into the {@link RetryPolicy} of the
 * auto-configured template, checking each value first, even while retries are off.
 */
final class TransactionRetryPolicy {

	private TransactionRetryPolicy() {
	}

	static @Nullable RetryPolicy of(AsyncSqlProperties.Retry retry, AsyncEngineFactory factory) {
		String prefix = "async-sql.transaction.retry.";
		if (retry.getMaxRetries() < 0) {
			throw factory.invalid(prefix + "max-retries", retry.getMaxRetries(), "it must not be negative",
					"Set " + prefix + "max-retries to 0 or more, or remove it to use the default of 3.");
		}
		requireNotNegative(factory, prefix + "delay", retry.getDelay(), "50ms");
		requireNotNegative(factory, prefix + "jitter", retry.getJitter(), "25ms");
		if (retry.getJitter().compareTo(retry.getDelay()) > 0) {
			throw factory.invalid(prefix + "jitter", retry.getJitter(),
					"it must not be greater than " + prefix + "delay (" + retry.getDelay() + ")",
					"Lower " + prefix + "jitter or raise " + prefix + "delay.");
		}
		if (!(retry.getMultiplier() >= 1.0)) {
			throw factory.invalid(prefix + "multiplier", retry.getMultiplier(), "it must be 1 or greater",
					"Set " + prefix + "multiplier to 1 (a fixed back-off) or more, or remove it to use the default "
							+ "of 2.");
		}
		if (retry.getMaxDelay().compareTo(retry.getDelay()) < 0) {
			throw factory.invalid(prefix + "max-delay", retry.getMaxDelay(),
					"it must not be less than " + prefix + "delay (" + retry.getDelay() + ")",
					"Raise " + prefix + "max-delay or lower " + prefix + "delay.");
		}
		if (!retry.isEnabled()) {
			return null;
		}
		return TransientFailures.retryPolicy(retry.isIncludeEngineRefusals())
			.maxRetries(retry.getMaxRetries())
			.delay(retry.getDelay())
			.jitter(retry.getJitter())
			.multiplier(retry.getMultiplier())
			.maxDelay(retry.getMaxDelay())
			.build();
	}

	private static void requireNotNegative(AsyncEngineFactory factory, String property, Duration value,
			String defaultValue) {
		if (value.isNegative()) {
			throw factory.invalid(property, value, "it must not be negative",
					"Set " + property + " to 0 or more, or remove it to use the default of " + defaultValue + ".");
		}
	}

}
