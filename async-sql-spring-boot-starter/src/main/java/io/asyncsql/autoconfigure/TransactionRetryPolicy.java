package io.asyncsql.autoconfigure;

import io.asyncsql.TransientFailures;
import org.jspecify.annotations.Nullable;

import org.springframework.core.retry.RetryPolicy;

/**
 * Turns {@code async-sql.transaction.retry.*} into the {@link RetryPolicy} of the
 * auto-configured template, once {@link AsyncSqlPropertiesValidator} has checked it.
 */
final class TransactionRetryPolicy {

	private TransactionRetryPolicy() {
	}

	static @Nullable RetryPolicy of(AsyncSqlTransactionProperties.Retry retry) {
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

}
